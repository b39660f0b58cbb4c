// Batched matrix multiplication over the last two axes (plain layouts; transposes are free,
// expressed as strides).
#include <algorithm>
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

namespace {

// Row-major strides for dims, with the last two axes swapped when transposed so the same
// buffer reads as its transpose.
memory::desc matrix_desc(const Dims& stored, bool transposed, DT type = DT::f32) {
  const size_t n = stored.size();
  Dims strides(n);
  int64_t s = 1;
  for (size_t i = n; i-- > 0;) {
    strides[i] = s;
    s *= stored[i];
  }
  Dims logical(stored);
  if (transposed) {
    std::swap(logical[n - 1], logical[n - 2]);
    std::swap(strides[n - 1], strides[n - 2]);
  }
  return memory::desc(logical, type, strides);
}

}  // namespace

Tensor* matmul(const Tensor* a, const Tensor* b, bool trans_a, bool trans_b) {
  const size_t n = a->dims.size();
  if (n < 2 || b->dims.size() != n) throw std::invalid_argument("matmul: operands need the same rank, at least 2");
  const memory::desc a_md = matrix_desc(a->dims, trans_a);
  const memory::desc b_md = matrix_desc(b->dims, trans_b);
  const Dims ad = a_md.dims(), bd = b_md.dims();
  if (ad[n - 1] != bd[n - 2]) throw std::invalid_argument("matmul: inner dimensions differ");
  Dims dst(n);
  for (size_t i = 0; i + 2 < n; i++) {
    if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) throw std::invalid_argument("matmul: batch axes do not broadcast");
    dst[i] = std::max(ad[i], bd[i]);
  }
  dst[n - 2] = ad[n - 2];
  dst[n - 1] = bd[n - 1];
  // bf16: operands converted (same strides), f32 accumulation and result.
  const bool bf16 = bf16_enabled();
  const DT type = bf16 ? DT::bf16 : DT::f32;
  const memory::desc a_op = matrix_desc(a->dims, trans_a, type);
  const memory::desc b_op = matrix_desc(b->dims, trans_b, type);
  KeyBuilder k;
  k.add("matmul").add(a_op).add(b_op).add(dst);
  auto& p = cached<dnnl::matmul>(k.s, [&] {
    dnnl::matmul::desc d(a_op, b_op, plain_desc(dst));
    return dnnl::matmul(dnnl::matmul::primitive_desc(d, cpu_engine()));
  });
  auto operand = [&](const Tensor* t) {
    memory plain = as_layout(t, plain_desc(t->dims));
    return bf16 ? reorder_to(plain, matrix_desc(t->dims, false, DT::bf16)) : plain;
  };
  memory a_mem = operand(a);
  memory b_mem = operand(b);
  Tensor* out = new_tensor(plain_desc(dst), dst);
  run(p, {{DNNL_ARG_SRC, memory(a_op, cpu_engine(), a_mem.get_data_handle())},
          {DNNL_ARG_WEIGHTS, memory(b_op, cpu_engine(), b_mem.get_data_handle())},
          {DNNL_ARG_DST, out->mem}});
  return out;
}

}  // namespace mosmos

// Element-wise activations, broadcasting binary arithmetic and (log-)softmax. All run in the
// source's own layout, so chains of them keep a convolution's blocked output blocked.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

namespace {

dnnl::algorithm eltwise_algorithm(Eltwise kind) {
  using A = dnnl::algorithm;
  switch (kind) {
    case Eltwise::relu: return A::eltwise_relu;
    case Eltwise::gelu_erf: return A::eltwise_gelu_erf;
    case Eltwise::gelu_tanh: return A::eltwise_gelu_tanh;
    case Eltwise::sigmoid: return A::eltwise_logistic;
    case Eltwise::tanh: return A::eltwise_tanh;
    case Eltwise::linear: return A::eltwise_linear;
    case Eltwise::exp: return A::eltwise_exp;
    case Eltwise::log: return A::eltwise_log;
    case Eltwise::sqrt: return A::eltwise_sqrt;
    case Eltwise::square: return A::eltwise_square;
    case Eltwise::clip: return A::eltwise_clip_v2;
    case Eltwise::pow: return A::eltwise_pow;
    default: return A::eltwise_abs;
  }
}

int64_t float_key(float v) {
  int32_t bits;
  static_assert(sizeof(bits) == sizeof(v), "float is 32 bits");
  std::memcpy(&bits, &v, sizeof(v));
  return bits;
}

using EF = dnnl::eltwise_forward;
using EB = dnnl::eltwise_backward;

struct EltwiseForward {
  EF::primitive_desc pd;
  EF prim;
};

EltwiseForward& eltwise_forward_for(const memory::desc& md, Eltwise kind, float alpha, float beta) {
  KeyBuilder k;
  k.add("eltwise_fwd").add(static_cast<int64_t>(kind)).add(float_key(alpha)).add(float_key(beta)).add(md);
  return cached<EltwiseForward>(k.s, [&] {
    EF::desc d(dnnl::prop_kind::forward_training, eltwise_algorithm(kind), md, alpha, beta);
    EF::primitive_desc pd(d, cpu_engine());
    return EltwiseForward{pd, EF(pd)};
  });
}

}  // namespace

Eltwise eltwise_from_name(const std::string& name) {
  if (name == "relu") return Eltwise::relu;
  if (name == "gelu" || name == "gelu_erf") return Eltwise::gelu_erf;
  if (name == "gelu_tanh") return Eltwise::gelu_tanh;
  if (name == "sigmoid") return Eltwise::sigmoid;
  if (name == "tanh") return Eltwise::tanh;
  if (name == "linear") return Eltwise::linear;
  if (name == "exp") return Eltwise::exp;
  if (name == "log") return Eltwise::log;
  if (name == "sqrt") return Eltwise::sqrt;
  if (name == "square") return Eltwise::square;
  if (name == "abs") return Eltwise::abs;
  if (name == "clip") return Eltwise::clip;
  if (name == "pow") return Eltwise::pow;
  throw std::invalid_argument("unknown element-wise operation: " + name);
}

// The layout to run an element-wise op in: the source's own, unless oneDNN has only its reference
// loop for it (blocked layouts whose channels are padded, e.g. 14 channels in 16-blocks).
memory::desc eltwise_layout(const Tensor* src, Eltwise kind, float alpha, float beta) {
  const memory::desc md = src->mem.get_desc();
  if (is_plain(md) || !slow_implementation(eltwise_forward_for(md, kind, alpha, beta).pd.impl_info_str())) return md;
  return plain_desc(src->dims);
}

Tensor* eltwise_forward(const Tensor* src, Eltwise kind, float alpha, float beta) {
  const memory::desc md = eltwise_layout(src, kind, alpha, beta);
  EltwiseForward& f = eltwise_forward_for(md, kind, alpha, beta);
  Tensor* out = new_tensor(f.pd.dst_desc(), src->dims);
  run(f.prim, {{DNNL_ARG_SRC, as_layout(src, md)}, {DNNL_ARG_DST, out->mem}});
  return out;
}

Tensor* eltwise_backward(const Tensor* diff_dst, const Tensor* src, Eltwise kind, float alpha, float beta) {
  if (diff_dst->dims != src->dims) throw std::invalid_argument("element-wise backward: gradient has the wrong shape");
  const memory::desc md = eltwise_layout(src, kind, alpha, beta);
  EltwiseForward& f = eltwise_forward_for(md, kind, alpha, beta);
  KeyBuilder k;
  k.add("eltwise_bwd").add(static_cast<int64_t>(kind)).add(float_key(alpha)).add(float_key(beta)).add(md);
  struct Backward {
    EB::primitive_desc pd;
    EB prim;
  };
  auto& b = cached<Backward>(k.s, [&] {
    EB::desc d(eltwise_algorithm(kind), md, md, alpha, beta);
    EB::primitive_desc pd(d, cpu_engine(), f.pd);
    return Backward{pd, EB(pd)};
  });
  Tensor* out = new_tensor(b.pd.diff_src_desc(), src->dims);
  run(b.prim, {{DNNL_ARG_SRC, as_layout(src, md)},
               {DNNL_ARG_DIFF_DST, as_layout(diff_dst, b.pd.diff_dst_desc())},
               {DNNL_ARG_DIFF_SRC, out->mem}});
  return out;
}

Binary binary_from_name(const std::string& name) {
  if (name == "add") return Binary::add;
  if (name == "sub") return Binary::sub;
  if (name == "mul") return Binary::mul;
  if (name == "div") return Binary::div;
  if (name == "max" || name == "maximum") return Binary::max;
  if (name == "min" || name == "minimum") return Binary::min;
  throw std::invalid_argument("unknown binary operation: " + name);
}

Tensor* binary(const Tensor* a, const Tensor* b, Binary kind) {
  using A = dnnl::algorithm;
  static const A algorithms[] = {A::binary_add, A::binary_sub, A::binary_mul, A::binary_div, A::binary_max,
                                 A::binary_min};
  if (a->dims.size() != b->dims.size()) throw std::invalid_argument("binary: operands must have the same rank");
  Dims dst(a->dims.size());
  for (size_t i = 0; i < dst.size(); i++) {
    if (a->dims[i] != b->dims[i] && a->dims[i] != 1 && b->dims[i] != 1) {
      throw std::invalid_argument("binary: shapes do not broadcast");
    }
    dst[i] = std::max(a->dims[i], b->dims[i]);
  }
  const bool commutative = kind == Binary::add || kind == Binary::mul || kind == Binary::max || kind == Binary::min;
  // oneDNN broadcasts only the second operand: put the full-shape one first when allowed.
  if (a->dims != dst && b->dims == dst && commutative) std::swap(a, b);
  memory src0, src1;
  memory::desc dst_md;
  if (a->dims == dst) {
    src0 = a->mem;
    dst_md = desc_like(a->mem.get_desc(), dst);
    // A broadcast operand gets the first operand's blocking too: oneDNN's JIT binary handles
    // per-channel broadcasting only between like layouts, else falls to a slow reference loop.
    src1 = as_layout(b, b->dims == dst ? a->mem.get_desc() : desc_like(a->mem.get_desc(), b->dims));
  } else {
    // Both operands broadcast, or a non-commutative one broadcasts its first operand: expand
    // the first to the full shape, then apply the operation.
    Tensor* full = broadcast_to(a, dst);
    Tensor* out = binary(full, b, kind);
    tensor_free(full);
    return out;
  }
  KeyBuilder k;
  k.add("binary").add(static_cast<int64_t>(kind)).add(src0.get_desc()).add(src1.get_desc()).add(dst_md);
  auto& p = cached<dnnl::binary>(k.s, [&] {
    dnnl::binary::desc d(algorithms[static_cast<int>(kind)], src0.get_desc(), src1.get_desc(), dst_md);
    return dnnl::binary(dnnl::binary::primitive_desc(d, cpu_engine()));
  });
  Tensor* out = new_tensor(dst_md, dst);
  run(p, {{DNNL_ARG_SRC_0, src0}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, out->mem}});
  return out;
}

Tensor* broadcast_to(const Tensor* a, const Dims& dims) {
  if (a->dims.size() != dims.size()) throw std::invalid_argument("broadcast: ranks differ");
  for (size_t i = 0; i < dims.size(); i++) {
    if (a->dims[i] != dims[i] && a->dims[i] != 1) throw std::invalid_argument("broadcast: shapes do not broadcast");
  }
  // zeros + a, with oneDNN broadcasting the second operand.
  Tensor* full = new_tensor(plain_desc(dims), dims);
  std::memset(full->mem.get_data_handle(), 0, full->mem.get_desc().get_size());
  memory a_plain = as_layout(a, plain_desc(a->dims));
  KeyBuilder k;
  k.add("broadcast").add(dims).add(a->dims);
  auto& p = cached<dnnl::binary>(k.s, [&] {
    dnnl::binary::desc d(dnnl::algorithm::binary_add, plain_desc(dims), plain_desc(a->dims), plain_desc(dims));
    return dnnl::binary(dnnl::binary::primitive_desc(d, cpu_engine()));
  });
  run(p, {{DNNL_ARG_SRC_0, full->mem}, {DNNL_ARG_SRC_1, a_plain}, {DNNL_ARG_DST, full->mem}});
  return full;
}

Tensor* softmax_forward(const Tensor* src, int axis, bool log) {
  Tensor* direct = nullptr;
  if (axis == 1 && src->dims.size() >= 3 && channel_softmax_forward(src, log, &direct)) return direct;
  const memory::desc md = src->mem.get_desc();
  using SF = dnnl::softmax_v2_forward;
  KeyBuilder k;
  k.add("softmax_fwd").add(log ? 1 : 0).add(axis).add(md);
  struct Forward {
    SF::primitive_desc pd;
    SF prim;
  };
  auto& f = cached<Forward>(k.s, [&] {
    SF::desc d(dnnl::prop_kind::forward_training,
               log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate, md, md, axis);
    SF::primitive_desc pd(d, cpu_engine());
    return Forward{pd, SF(pd)};
  });
  Tensor* out = new_tensor(f.pd.dst_desc(), src->dims);
  run(f.prim, {{DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DST, out->mem}});
  return out;
}

Tensor* softmax_backward(const Tensor* diff_dst, const Tensor* dst, int axis, bool log) {
  if (diff_dst->dims != dst->dims) throw std::invalid_argument("softmax backward: gradient has the wrong shape");
  Tensor* direct = nullptr;
  if (axis == 1 && dst->dims.size() >= 3 && channel_softmax_backward(diff_dst, dst, log, &direct)) return direct;
  const memory::desc md = dst->mem.get_desc();
  using SF = dnnl::softmax_v2_forward;
  using SB = dnnl::softmax_v2_backward;
  KeyBuilder k;
  k.add("softmax_bwd").add(log ? 1 : 0).add(axis).add(md);
  struct Backward {
    SB::primitive_desc pd;
    SB prim;
  };
  const auto algorithm = log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
  auto& b = cached<Backward>(k.s, [&] {
    SF::primitive_desc hint(SF::desc(dnnl::prop_kind::forward_training, algorithm, md, md, axis), cpu_engine());
    SB::desc d(algorithm, md, md, md, axis);
    SB::primitive_desc pd(d, cpu_engine(), hint);
    return Backward{pd, SB(pd)};
  });
  Tensor* out = new_tensor(b.pd.diff_src_desc(), dst->dims);
  run(b.prim, {{DNNL_ARG_DST, dst->mem},
               {DNNL_ARG_DIFF_DST, as_layout(diff_dst, md)},
               {DNNL_ARG_DIFF_SRC, out->mem}});
  return out;
}

}  // namespace mosmos

// Concatenation, slicing and sum-reduction: the layout-aware shape ops that let a U-Net's skip
// connections and broadcast gradients stay in blocked layouts.
#include <omp.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "dnnl_internal.h"

namespace mosmos {

Tensor* concat(const std::vector<const Tensor*>& parts, int axis) {
  if (parts.empty()) throw std::invalid_argument("concat: nothing to concatenate");
  const Dims& first = parts[0]->dims;
  if (axis < 0 || static_cast<size_t>(axis) >= first.size()) throw std::invalid_argument("concat: bad axis");
  Dims dst(first);
  dst[axis] = 0;
  std::vector<memory::desc> mds;
  std::vector<memory> mems;
  for (const Tensor* t : parts) {
    if (t->dims.size() != first.size()) throw std::invalid_argument("concat: ranks differ");
    for (size_t i = 0; i < first.size(); i++) {
      if (static_cast<int>(i) != axis && t->dims[i] != first[i]) throw std::invalid_argument("concat: shapes differ");
    }
    dst[axis] += t->dims[axis];
    mds.push_back(t->mem.get_desc());
    mems.push_back(t->mem);
  }
  // Along channels with boundaries off block edges, oneDNN has only its reference loop: copy
  // directly into the blocked layout the next convolution reads.
  if (axis == 1) {
    const memory::desc first_md = parts[0]->mem.get_desc();
    const int64_t block = is_plain(first_md) ? 0 : desc_like(first_md, parts[0]->dims) == first_md ? 1 : 0;
    bool aligned = block != 0;
    for (size_t i = 0; aligned && i < parts.size(); i++) {
      const memory::desc md = parts[i]->mem.get_desc();
      const memory::desc like = desc_like(first_md, parts[i]->dims);
      aligned = md == like && (i + 1 == parts.size() || like.data.padded_dims[1] == parts[i]->dims[1]);
    }
    Tensor* direct = nullptr;
    if (!aligned && channel_concat(parts, &direct)) return direct;
  }
  KeyBuilder k;
  k.add("concat").add(axis);
  for (const auto& md : mds) k.add(md);
  struct Cached {
    dnnl::concat::primitive_desc pd;
    dnnl::concat prim;
    bool plain;
  };
  auto& c = cached<Cached>(k.s, [&] {
    // Ask for the first part's blocking: when the part boundaries fall on block edges oneDNN
    // copies whole blocks. When they do not (8-channel parts in 16-channel blocks) oneDNN has only
    // its reference loop, so concatenate plain copies instead.
    dnnl::concat::primitive_desc pd(desc_like(mds[0], dst), axis, mds, cpu_engine());
    if (!slow_implementation(pd.impl_info_str())) return Cached{pd, dnnl::concat(pd), false};
    std::vector<memory::desc> plain;
    for (const Tensor* t : parts) plain.push_back(plain_desc(t->dims));
    dnnl::concat::primitive_desc plain_pd(plain_desc(dst), axis, plain, cpu_engine());
    return Cached{plain_pd, dnnl::concat(plain_pd), true};
  });
  Tensor* out = new_tensor(c.pd.dst_desc(), dst);
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, out->mem}};
  for (size_t i = 0; i < mems.size(); i++) {
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = c.plain ? as_layout(parts[i], plain_desc(parts[i]->dims)) : mems[i];
  }
  run(c.prim, args);
  return out;
}

Tensor* slice(const Tensor* src, const Dims& offsets, const Dims& dims) {
  if (offsets.size() != src->dims.size() || dims.size() != src->dims.size()) {
    throw std::invalid_argument("slice: rank of offsets and sizes must match the tensor");
  }
  for (size_t i = 0; i < dims.size(); i++) {
    if (offsets[i] < 0 || dims[i] <= 0 || offsets[i] + dims[i] > src->dims[i]) {
      throw std::invalid_argument("slice: region outside the tensor");
    }
  }
  const memory::desc src_md = src->mem.get_desc();
  memory source = src->mem;
  memory::desc view_md;
  try {
    view_md = src_md.submemory_desc(dims, offsets);
  } catch (const dnnl::error&) {
    // A region that cuts through a block (e.g. 8 channels out of a 16-channel block) cannot be
    // described in the blocked layout; cut it from a plain copy instead.
    source = as_layout(src, plain_desc(src->dims));
    view_md = plain_desc(src->dims).submemory_desc(dims, offsets);
  }
  memory view(view_md, cpu_engine(), source.get_data_handle());
  const memory::desc dst_md = desc_like(source.get_desc(), dims);
  Tensor* out = new_tensor(dst_md, dims);
  KeyBuilder k;
  k.add("reorder").add(view_md).add(dst_md);
  auto& r = cached<dnnl::reorder>(k.s, [&] { return dnnl::reorder(view, out->mem); });
  run(r, {{DNNL_ARG_FROM, view}, {DNNL_ARG_TO, out->mem}});
  return out;
}

namespace {

// Adds src (plain, dims `dims`) into dst, where dst_strides[axis] is 0 on summed axes.
void accumulate(const float* src, float* dst, const Dims& dims, const Dims& src_strides, const Dims& dst_strides,
                size_t axis) {
  const int64_t n = dims[axis];
  if (axis + 1 == dims.size()) {
    if (dst_strides[axis] == 0) {
      double total = 0;  // a row of up to ~1e6 terms: accumulate in double
      for (int64_t i = 0; i < n; i++) total += src[i];
      *dst += static_cast<float>(total);
    } else {
      for (int64_t i = 0; i < n; i++) dst[i] += src[i];
    }
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    accumulate(src + i * src_strides[axis], dst + i * dst_strides[axis], dims, src_strides, dst_strides, axis + 1);
  }
}

// Per-channel totals of a channel-blocked tensor, [N][C/B][spatial][B] with C padded to a
// multiple of B (plain [N][C][spatial] is B = 1), read straight from its layout, which saves
// reordering the whole activation to plain first. Bias and norm-scale gradients and the loss sum
// over a 14-class head's logits (padded to 16) come here. Work is split over (n, block, spatial
// chunk) items with per-thread accumulators, so a single-block activation still uses every thread.
// Returns an empty vector when the layout is not of that form.
std::vector<double> channel_totals(const Tensor* src) {
  const memory::desc md = src->mem.get_desc();
  const dnnl_memory_desc_t& d = md.data;
  const Dims& dims = src->dims;
  if (d.format_kind != dnnl_blocked || d.offset0 != 0 || dims.size() < 2) return {};
  const auto& blocking = d.format_desc.blocking;
  int64_t block = 1;
  if (blocking.inner_nblks == 1 && blocking.inner_idxs[0] == 1) {
    block = blocking.inner_blks[0];
  } else if (blocking.inner_nblks != 0) {
    return {};
  }
  const int64_t channel_blocks = d.padded_dims[1] / block;
  int64_t spatial = 1;
  for (size_t i = 2; i < dims.size(); i++) spatial *= dims[i];
  // The standard nC...{B}c order: strides decreasing N, C, then dense spatial axes.
  const auto* strides = blocking.strides;
  if (strides[1] != spatial * block || strides[0] != channel_blocks * spatial * block) return {};
  int64_t stride = block;
  for (size_t i = dims.size(); i-- > 2;) {
    if (strides[i] != stride) return {};
    stride *= dims[i];
  }
  const float* data = static_cast<const float*>(src->mem.get_data_handle());
  const int64_t padded = channel_blocks * block;
  if (spatial == 1 && block == 1) {
    // Column sums of a plain [rows, C] matrix (bias gradients of linear layers): rows split over
    // threads, each adding whole rows into its own accumulator.
    const int64_t rows = dims[0], cols = dims[1];
    const int threads = rows * cols < (int64_t{1} << 15) ? 1 : omp_get_max_threads();
    std::vector<double> partial(static_cast<size_t>(threads * cols), 0.0);
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      double* acc = partial.data() + static_cast<size_t>(t) * cols;
      for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; r++) {
        const float* row = data + r * cols;
        for (int64_t c = 0; c < cols; c++) acc[c] += row[c];
      }
    }
    std::vector<double> total(static_cast<size_t>(cols), 0.0);
    for (int t = 0; t < threads; t++)
      for (int64_t c = 0; c < cols; c++) total[c] += partial[static_cast<size_t>(t) * cols + c];
    return total;
  }
  constexpr int64_t kChunk = 4096;  // positions (of B values each) per work item
  const int64_t chunks = (spatial + kChunk - 1) / kChunk;
  const int64_t items = dims[0] * channel_blocks * chunks;
  const size_t total_size = static_cast<size_t>(dims[0] * padded * spatial);
  // Small tensors on one thread: a fork-join costs more than their sum.
  const int threads = total_size < (size_t{1} << 15) ? 1 : omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads * padded), 0.0);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t item = 0; item < items; item++) {
    const int64_t row = item / chunks;  // n * channel_blocks + cb
    const int64_t cb = row % channel_blocks;
    const int64_t s0 = (item % chunks) * kChunk;
    const int64_t s1 = std::min(spatial, s0 + kChunk);
    double* t = partial.data() + static_cast<size_t>(omp_get_thread_num()) * padded + cb * block;
    const float* p = data + row * spatial * block;
    if (block == 1) {
      // Four independent accumulators break the add-latency chain of one long row.
      double acc[4] = {0, 0, 0, 0};
      int64_t i = s0;
      for (; i + 4 <= s1; i += 4)
        for (int j = 0; j < 4; j++) acc[j] += p[i + j];
      for (; i < s1; i++) acc[0] += p[i];
      t[0] += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    } else if (block == 16) {
      double acc[16] = {};
      for (int64_t i = s0; i < s1; i++)
        for (int b = 0; b < 16; b++) acc[b] += p[i * 16 + b];
      for (int b = 0; b < 16; b++) t[b] += acc[b];
    } else {
      for (int64_t i = s0; i < s1; i++)
        for (int64_t b = 0; b < block; b++) t[b] += p[i * block + b];
    }
  }
  std::vector<double> totals(static_cast<size_t>(dims[1]), 0.0);
  for (int th = 0; th < threads; th++)
    for (int64_t c = 0; c < dims[1]; c++) totals[c] += partial[static_cast<size_t>(th * padded + c)];
  return totals;
}

}  // namespace

// oneDNN 2.6's reduction primitive runs its reference implementation for these shapes (tens of ms
// per activation); this direct loop over the plain layout takes well under a millisecond.
Tensor* reduce_sum(const Tensor* src, const Dims& dst_dims) {
  const Dims& dims = src->dims;
  if (dst_dims.size() != dims.size()) throw std::invalid_argument("reduce: rank must be kept");
  for (size_t i = 0; i < dst_dims.size(); i++) {
    if (dst_dims[i] != 1 && dst_dims[i] != dims[i]) throw std::invalid_argument("reduce: bad target shape");
  }
  Tensor* out = new_tensor(plain_desc(dst_dims), dst_dims);
  float* dst = static_cast<float*>(out->mem.get_data_handle());
  int64_t dst_count = 1;
  for (int64_t d : dst_dims) dst_count *= d;
  std::fill(dst, dst + dst_count, 0.f);
  // Per-channel sums ([N, C, ...] -> [1, C, 1, ...]) and full sums straight from the layout.
  bool per_channel = dims.size() >= 2, full = true;
  for (size_t i = 0; i < dims.size(); i++) {
    per_channel = per_channel && dst_dims[i] == (i == 1 ? dims[1] : 1);
    full = full && dst_dims[i] == 1;
  }
  if (per_channel || full) {
    const std::vector<double> totals = channel_totals(src);
    if (!totals.empty()) {
      double all = 0;
      for (size_t c = 0; c < totals.size(); c++) {
        if (per_channel) dst[c] = static_cast<float>(totals[c]);
        all += totals[c];
      }
      if (!per_channel) dst[0] = static_cast<float>(all);
      return out;
    }
  }
  memory plain = as_layout(src, plain_desc(dims));
  // Drop size-1 axes (they change nothing) so the innermost loop is as long as possible.
  Dims d, ss, ds;
  int64_t src_stride = 1, dst_stride = 1;
  std::vector<std::array<int64_t, 3>> axes;
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i] != 1) axes.push_back({dims[i], src_stride, dst_dims[i] == 1 ? 0 : dst_stride});
    src_stride *= dims[i];
    dst_stride *= dst_dims[i];
  }
  if (axes.empty()) axes.push_back({1, 1, 1});
  for (size_t i = axes.size(); i-- > 0;) {
    d.push_back(axes[i][0]);
    ss.push_back(axes[i][1]);
    ds.push_back(axes[i][2]);
  }
  accumulate(static_cast<const float*>(plain.get_data_handle()), dst, d, ss, ds, 0);
  return out;
}

}  // namespace mosmos

namespace mosmos {

// Axes permuted (out axis i = source axis perm[i]) as one oneDNN reorder from a strided view of
// the plain source into a plain result.
Tensor* permute(const Tensor* src, const Dims& perm) {
  const Dims& dims = src->dims;
  const size_t n = dims.size();
  if (perm.size() != n) throw std::invalid_argument("permute: one entry per axis");
  Dims strides(n), out_dims(n), view_strides(n);
  int64_t s = 1;
  for (size_t i = n; i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  std::vector<bool> seen(n, false);
  for (size_t i = 0; i < n; i++) {
    const int64_t p = perm[i];
    if (p < 0 || static_cast<size_t>(p) >= n || seen[p]) throw std::invalid_argument("permute: not a permutation");
    seen[p] = true;
    out_dims[i] = dims[p];
    view_strides[i] = strides[p];
  }
  memory plain = as_layout(src, plain_desc(dims));
  memory view(memory::desc(out_dims, DT::f32, view_strides), cpu_engine(), plain.get_data_handle());
  Tensor* out = new_tensor(plain_desc(out_dims), out_dims);
  KeyBuilder key;
  key.add("reorder").add(view.get_desc()).add(out->mem.get_desc());
  auto& prim = cached<dnnl::reorder>(key.s, [&] { return dnnl::reorder(view, out->mem); });
  run(prim, {{DNNL_ARG_FROM, view}, {DNNL_ARG_TO, out->mem}});
  return out;
}

}  // namespace mosmos

// Direct loops over activations in plain [N][C][S] or channel-blocked [N][C/B][S][B] memory (the
// layouts oneDNN's convolutions produce), for the ops where oneDNN 2.6 has no fast kernel: batch
// and instance normalisation, channel softmax. Only bn_direct.cc and channel_direct.cc include it.
#pragma once

#include <omp.h>

#include <algorithm>

#include "dnnl_internal.h"

namespace mosmos {

// [N][C/B][S][B] with C padded to a multiple of B; plain [N][C][S] is the case B = 1.
struct ChannelLayout {
  int64_t n, channels, blocks, block, spatial;
  int64_t padded() const { return blocks * block; }
  // Offset of (sample, channel, position).
  int64_t at(int64_t sample, int64_t c, int64_t s) const {
    return ((sample * blocks + c / block) * spatial + s) * block + c % block;
  }
};

inline bool channel_layout(const memory::desc& md, const Dims& dims, ChannelLayout* out) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.offset0 != 0 || dims.size() < 2 || d.data_type != dnnl_f32) return false;
  int64_t spatial = 1;
  for (size_t i = 2; i < dims.size(); i++) spatial *= dims[i];
  const auto& b = d.format_desc.blocking;
  int64_t block = 1;
  if (b.inner_nblks == 1 && b.inner_idxs[0] == 1) {
    block = b.inner_blks[0];
  } else if (b.inner_nblks != 0) {
    return false;
  }
  const int64_t blocks = d.padded_dims[1] / block;
  if (b.strides[1] != spatial * block || b.strides[0] != blocks * spatial * block) return false;
  // Spatial axes must be dense and in order.
  int64_t stride = block;
  for (size_t i = dims.size(); i-- > 2;) {
    if (b.strides[i] != stride) return false;
    stride *= dims[i];
  }
  *out = {dims[0], dims[1], blocks, block, spatial};
  return true;
}

constexpr int64_t kChunk = 2048;  // spatial positions per work item

// Calls fn(thread, row, s_begin, s_end) for every (n, channel block) row split into spatial chunks,
// in parallel; `thread` is the OpenMP thread number for per-thread accumulators.
template <class F>
void for_chunks(const ChannelLayout& l, F fn) {
  const int64_t chunks = (l.spatial + kChunk - 1) / kChunk;
  const int64_t items = l.n * l.blocks * chunks;
  // Small tensors on one thread: a fork-join costs more than their work.
  const bool parallel = items > 1 && l.n * l.blocks * l.spatial * l.block >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t item = 0; item < items; item++) {
    const int64_t row = item / chunks;
    const int64_t c0 = (item % chunks) * kChunk;
    fn(omp_get_thread_num(), row, c0, std::min(l.spatial, c0 + kChunk));
  }
}

}  // namespace mosmos

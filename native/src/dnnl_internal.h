// Shared pieces of the oneDNN layer: the Tensor definition, the engine and stream, layout
// helpers and the primitive cache. Only dnnl_*.cc include this.
#pragma once

#include <dnnl.hpp>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mosmos_dnnl.h"

namespace mosmos {

using dnnl::memory;
using Tag = memory::format_tag;
using DT = memory::data_type;

struct Tensor {
  memory mem;
  Dims dims;
  // Max pooling's workspace, kept on the pooled output for the backward pass.
  memory workspace;
  std::shared_ptr<void> workspace_buffer;
  bool has_workspace = false;
  // The pooled buffer behind `mem` (shared by reshape views), and for views of a reordered
  // copy, the library-owned memory they point into.
  std::shared_ptr<void> buffer;
  memory owner;
  // Weights reordered into a primitive's layout, kept with the tensor: inference reuses them on
  // every call, training for forward and backward-data of a step. Keyed by (variant, layout).
  struct Reordered {
    int variant;
    memory::desc desc;
    memory mem;
    std::shared_ptr<void> buffer;
  };
  mutable std::vector<Reordered> reordered;
};

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

memory::desc plain_desc(const Dims& dims);
memory::desc any_desc(const Dims& dims);
// Operands of convolutions and matmuls: f32, or bf16 when set_precision(true) (format any).
memory::desc operand_desc(const Dims& dims);
bool bf16_enabled();
// The same blocked layout as `like` (channel-blocked on axis 1) for other dims, else plain.
memory::desc desc_like(const memory::desc& like, const Dims& dims);
bool is_plain(const memory::desc& md);
// dims (rank 3-5) in the nCw/nChw/nCdhw layout with the given channel block (8 or 16), else plain.
memory::desc channel_blocked_desc(const Dims& dims, int block);
// dims (rank 3-5) in channels-last order (nwc/nhwc/ndhwc).
memory::desc channels_last_desc(const Dims& dims);
// oneDNN implementations we avoid when a faster one exists (reference loops, im2col+GEMM).
bool slow_implementation(const char* impl_name);

// The tensor's memory in the wanted layout: itself when it already matches, else a reorder.
memory as_layout(const Tensor* t, const memory::desc& want);
memory reorder_to(const memory& src, const memory::desc& want);
// `source` (a view of t's values) in layout `want`, reordered once and cached on t.
memory cached_reorder(const Tensor* t, const memory& source, int variant, const memory::desc& want);
Tensor* wrap(const memory& mem, const Dims& dims);
// A tensor whose memory comes from the buffer pool.
Tensor* new_tensor(const memory::desc& md, const Dims& dims);
// Memory for a temporary (a reordered operand) that lives until the current call returns.
memory scratch_memory(const memory::desc& md);

// Buffers freed by tensors are kept for reuse, keyed by size: a training step allocates the
// same sizes every iteration, and fresh pages from the OS cost a page fault each (several ms per
// activation), more than the memory-bound ops that fill them.
std::shared_ptr<void> pooled_buffer(size_t bytes);

// Primitive cache, keyed by a string that encodes op, shapes, layouts and attributes.
// Creating a primitive descriptor walks oneDNN's implementation list, which costs far more than
// the small memory-bound ops it often describes.
struct KeyBuilder {
  std::string s;
  KeyBuilder& add(const char* tag);
  KeyBuilder& add(int64_t v);
  KeyBuilder& add(const Dims& d);
  KeyBuilder& add(const memory::desc& md);
};

template <class T>
T& cached(const std::string& key, const std::function<T()>& make) {
  static std::unordered_map<std::string, std::shared_ptr<void>> cache;
  auto it = cache.find(key);
  if (it == cache.end()) {
    auto value = std::make_shared<T>(make());
    it = cache.emplace(key, value).first;
  }
  return *static_cast<T*>(it->second.get());
}

// Batch norm with per-channel scale and shift (plain [C]; null = 1 and 0) as direct loops
// (bn_direct.cc); false when the layout is not plain or channel-blocked, and the caller then uses
// oneDNN's primitive.
bool batch_norm_forward_direct(const Tensor* src, const Tensor* scale, const Tensor* shift, float epsilon,
                               Tensor** dst, Tensor** mean_out, Tensor** variance_out);
bool batch_norm_inference_direct(const Tensor* src, const Tensor* scale, const Tensor* shift, const Tensor* mean,
                                 const Tensor* variance, float epsilon, Tensor** dst);
bool batch_norm_backward_direct(const Tensor* diff_dst, const Tensor* src, const Tensor* scale, const Tensor* mean,
                                const Tensor* variance, float epsilon, Tensor** diff_src, Tensor** diff_scale,
                                Tensor** diff_shift);

// (Log-)softmax over axis 1 as direct loops (channel_direct.cc); false when the layout is not plain
// or channel-blocked.
bool channel_softmax_forward(const Tensor* src, bool log, Tensor** dst);
// Concatenation along axis 1 into a channel-blocked result (channel_direct.cc); false when a part's
// layout is not plain or channel-blocked.
bool channel_concat(const std::vector<const Tensor*>& parts, Tensor** dst);
bool channel_softmax_backward(const Tensor* diff_dst, const Tensor* dst, bool log, Tensor** diff_src);

// Runs a primitive on the CPU stream and waits (the engine is synchronous from JS's view).
void run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args);

}  // namespace mosmos

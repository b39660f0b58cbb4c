// The oneDNN layer's public face. Nothing here names a oneDNN type, so the N-API binding
// (binding.cc) compiles against this header alone and a oneDNN 3.x port rewrites only the
// dnnl_*.cc files behind it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mosmos {

using Dims = std::vector<int64_t>;

// A float32 tensor living in oneDNN memory, in plain (row-major) or a blocked layout
// such as nChw16c. Opaque to the binding.
struct Tensor;

void set_threads(int n);
// Freed buffers kept for reuse (bytes).
void set_buffer_cache_limit(int64_t bytes);
// bf16 operands (float32 accumulation and results) for convolutions and matmuls.
void set_precision(bool bf16);
// oneDNN's effective CPU ISA: "avx2", "avx512_core", "avx512_core_bf16", "avx512_core_amx", ...
std::string cpu_isa();
// Frees the temporaries of the call that just returned (the binding calls it after each call).
void end_call();
// Returns cached buffers to the OS; returns the bytes released.
int64_t release_cached_buffers();
int64_t cached_buffer_bytes();
int get_threads();
std::string library_version();

Tensor* tensor_from_plain(const float* data, const Dims& dims);
// Copies the tensor into `out` (size = product of dims) in plain row-major order.
void tensor_to_plain(const Tensor* t, float* out);
const Dims& tensor_dims(const Tensor* t);
bool tensor_is_plain(const Tensor* t);
// A short layout name for diagnostics: "plain" or "blocked:<channel block>".
std::string tensor_layout(const Tensor* t);
// Returns a new tensor holding the same values in plain layout.
Tensor* tensor_to_plain_tensor(const Tensor* t);
// A new tensor holding the same values with the given channel block: 1 (plain), 8 or 16 (nCw8c …
// nCdhw16c, rank 3-5). For tests of loops over layouts this CPU's convolutions would not produce.
Tensor* tensor_with_channel_block(const Tensor* t, int block);
void tensor_free(Tensor* t);
// The same values under new dims (equal element count); a view when the source is plain.
Tensor* reshape(const Tensor* t, const Dims& dims);

// Convolution geometry. stride/dilation are PyTorch-style (dilation 1 = dense);
// padding_r may differ from padding_l (and be negative for transposed convolutions'
// output padding).
struct ConvGeometry {
  Dims stride, dilation, padding_l, padding_r;
};

// Convolution: src (N, C, spatial...), weights (O, C, k...). Transposed: weights in PyTorch's
// (C_in, C_out, k...) order.
Tensor* conv_forward(const Tensor* src, const Tensor* weights, const Tensor* bias,
                     const ConvGeometry& g, bool transposed);
Tensor* conv_backward_data(const Tensor* diff_dst, const Tensor* weights, const Dims& src_dims,
                           const ConvGeometry& g, bool transposed);
// Writes plain diff weights and (when diff_bias is non-null) the bias gradient.
void conv_backward_weights(const Tensor* src, const Tensor* diff_dst, const Dims& weight_dims,
                           const ConvGeometry& g, bool transposed, Tensor** diff_weights,
                           Tensor** diff_bias);

enum class PoolKind { max, avg_include_padding, avg_exclude_padding };
struct PoolGeometry {
  Dims kernel, stride, dilation, padding_l, padding_r;
};
// training keeps max pooling's workspace on the result so the backward pass can reuse it.
Tensor* pool_forward(const Tensor* src, PoolKind kind, const PoolGeometry& g, bool training);
Tensor* pool_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* dst, PoolKind kind,
                      const PoolGeometry& g);

// Batch normalisation over axis 1. Training computes batch statistics (biased variance) and
// returns them in mean/variance; inference uses the given mean/variance.
Tensor* batch_norm_forward(const Tensor* src, const Tensor* scale, const Tensor* shift,
                           const Tensor* mean_in, const Tensor* variance_in, float epsilon,
                           bool training, Tensor** mean_out, Tensor** variance_out);
void batch_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* scale,
                         const Tensor* shift, const Tensor* mean, const Tensor* variance, float epsilon,
                         Tensor** diff_src, Tensor** diff_scale, Tensor** diff_shift);

// Instance normalisation: statistics per (sample, channel) over space, per-channel affine (null =
// 1 and 0), optionally followed by a leaky ReLU in the same pass. Returns y and the per-instance
// mean and 1/sqrt(var + eps), each [N, C]; the backward recomputes the activation's sign.
struct InstanceNormOptions {
  float epsilon = 1e-5f;
  bool activation = false;
  float negative_slope = 0.01f;
};
Tensor* instance_norm_forward(const Tensor* src, const Tensor* scale, const Tensor* shift,
                              const InstanceNormOptions& o, Tensor** mean_out, Tensor** rstd_out);
void instance_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* mean, const Tensor* rstd,
                            const Tensor* scale, const Tensor* shift, const InstanceNormOptions& o,
                            Tensor** diff_src, Tensor** diff_scale, Tensor** diff_shift);

// clip: alpha = lower, beta = upper bound; pow: alpha * x^beta; linear: alpha * x + beta;
// relu: alpha = slope for negative inputs (leaky ReLU).
// Layer normalisation over the last axis of a plain [rows, ..., inner] tensor, no affine:
// returns y and the per-row mean and (biased) variance, each with the source's dims minus the last.
Tensor* layer_norm_forward(const Tensor* src, float epsilon, Tensor** mean_out, Tensor** variance_out);
Tensor* layer_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* mean, const Tensor* variance,
                            float epsilon);

enum class Eltwise { relu, gelu_erf, gelu_tanh, sigmoid, tanh, linear, exp, log, sqrt, square, abs, clip, pow };
Eltwise eltwise_from_name(const std::string& name);
Tensor* eltwise_forward(const Tensor* src, Eltwise kind, float alpha, float beta);
Tensor* eltwise_backward(const Tensor* diff_dst, const Tensor* src, Eltwise kind, float alpha,
                         float beta);

enum class Binary { add, sub, mul, div, max, min };
Binary binary_from_name(const std::string& name);
// Numpy-style broadcasting; both operands must have the same rank (the caller pads with 1s).
Tensor* binary(const Tensor* a, const Tensor* b, Binary kind);
// a broadcast to dims (same rank), in plain layout.
Tensor* broadcast_to(const Tensor* a, const Dims& dims);

Tensor* softmax_forward(const Tensor* src, int axis, bool log);
Tensor* softmax_backward(const Tensor* diff_dst, const Tensor* dst, int axis, bool log);

// Batched matmul over the last two axes with broadcasting batch axes; trans_* swap them.
Tensor* matmul(const Tensor* a, const Tensor* b, bool trans_a, bool trans_b);

Tensor* concat(const std::vector<const Tensor*>& parts, int axis);
// The sub-tensor at offsets with the given dims; keeps a blocked layout when it can.
Tensor* slice(const Tensor* src, const Dims& offsets, const Dims& dims);
// Maximum over the spatial axes of [N, C, ...] → [N, C]; null when the layout has no direct loop.
Tensor* spatial_max_or_null(const Tensor* src);
// Axes permuted: result axis i is source axis perm[i] (plain result).
Tensor* permute(const Tensor* src, const Dims& perm);
// Sum over the axes where dst_dims is 1 (dst_dims has the source's rank).
Tensor* reduce_sum(const Tensor* src, const Dims& dst_dims);

// One AdamW step with PyTorch's semantics (decoupled weight decay, bias-corrected moments),
// writing new parameter and moment tensors; all four inputs have the same dims.
void adamw(const Tensor* param, const Tensor* grad, const Tensor* m, const Tensor* v, float lr, float beta1,
           float beta2, float epsilon, float weight_decay, int64_t step, Tensor** param_out, Tensor** m_out,
           Tensor** v_out);

}  // namespace mosmos

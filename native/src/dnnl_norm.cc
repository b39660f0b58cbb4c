// Batch normalisation over axis 1, in the source's own (usually blocked) layout.
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

namespace {

using BF = dnnl::batch_normalization_forward;
using BB = dnnl::batch_normalization_backward;

struct Forward {
  BF::primitive_desc pd;
  BF prim;
};

Forward& forward_for(const memory::desc& src_md, float epsilon, bool training) {
  KeyBuilder k;
  k.add("bn_fwd").add(training ? 1 : 0).add(src_md).add(static_cast<int64_t>(epsilon * 1e9));
  return cached<Forward>(k.s, [&] {
    auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    if (!training) flags = flags | dnnl::normalization_flags::use_global_stats;
    BF::desc d(training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, src_md, epsilon,
               flags);
    BF::primitive_desc pd(d, cpu_engine());
    return Forward{pd, BF(pd)};
  });
}

Dims channels_of(const Tensor* src) {
  if (src->dims.size() < 2) throw std::invalid_argument("batch norm: input needs a channel axis");
  return {src->dims[1]};
}

// Scale and shift given with one value per channel (the direct loops read them as plain [C]).
bool per_channel(const Tensor* scale, const Tensor* shift, const Dims& c) {
  return scale != nullptr && scale->dims == c && shift != nullptr && shift->dims == c;
}

memory channel_vector(const Tensor* t, const Dims& c, const char* what) {
  if (t == nullptr || t->dims != c) throw std::invalid_argument(std::string("batch norm: ") + what + " must have one value per channel");
  return as_layout(t, plain_desc(c));
}

}  // namespace

Tensor* batch_norm_forward(const Tensor* src, const Tensor* scale, const Tensor* shift, const Tensor* mean_in,
                           const Tensor* variance_in, float epsilon, bool training, Tensor** mean_out,
                           Tensor** variance_out) {
  const Dims c = channels_of(src);
  if (training && per_channel(scale, shift, c)) {
    Tensor* out = nullptr;
    if (batch_norm_forward_direct(src, scale, shift, epsilon, &out, mean_out, variance_out)) return out;
  }
  if (!training && mean_in != nullptr && mean_in->dims == c && variance_in != nullptr && variance_in->dims == c &&
      per_channel(scale, shift, c)) {
    Tensor* out = nullptr;
    if (batch_norm_inference_direct(src, scale, shift, mean_in, variance_in, epsilon, &out)) return out;
  }
  const memory::desc src_md = src->mem.get_desc();
  Forward& f = forward_for(src_md, epsilon, training);
  Tensor* out = new_tensor(f.pd.dst_desc(), src->dims);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src->mem},
                                       {DNNL_ARG_DST, out->mem},
                                       {DNNL_ARG_SCALE, channel_vector(scale, c, "scale")},
                                       {DNNL_ARG_SHIFT, channel_vector(shift, c, "shift")}};
  Tensor* mean = nullptr;
  Tensor* variance = nullptr;
  if (training) {
    mean = new_tensor(plain_desc(c), c);
    variance = new_tensor(plain_desc(c), c);
    args[DNNL_ARG_MEAN] = mean->mem;
    args[DNNL_ARG_VARIANCE] = variance->mem;
  } else {
    args[DNNL_ARG_MEAN] = channel_vector(mean_in, c, "running mean");
    args[DNNL_ARG_VARIANCE] = channel_vector(variance_in, c, "running variance");
  }
  run(f.prim, args);
  if (training) {
    *mean_out = mean;
    *variance_out = variance;
  }
  return out;
}

void batch_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* scale, const Tensor* shift,
                         const Tensor* mean,
                         const Tensor* variance, float epsilon, Tensor** diff_src, Tensor** diff_scale,
                         Tensor** diff_shift) {
  const Dims c = channels_of(src);
  if (diff_dst->dims != src->dims) throw std::invalid_argument("batch norm backward: gradient has the wrong shape");
  if (per_channel(scale, shift, c) && mean != nullptr && mean->dims == c && variance != nullptr &&
      variance->dims == c &&
      batch_norm_backward_direct(diff_dst, src, scale, mean, variance, epsilon, diff_src, diff_scale, diff_shift)) {
    return;
  }
  const memory::desc src_md = src->mem.get_desc();
  Forward& f = forward_for(src_md, epsilon, true);
  KeyBuilder k;
  k.add("bn_bwd").add(src_md).add(static_cast<int64_t>(epsilon * 1e9));
  struct Backward {
    BB::primitive_desc pd;
    BB prim;
  };
  auto& b = cached<Backward>(k.s, [&] {
    BB::desc d(dnnl::prop_kind::backward, src_md, src_md, epsilon,
               dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift);
    BB::primitive_desc pd(d, cpu_engine(), f.pd);
    return Backward{pd, BB(pd)};
  });
  Tensor* dx = new_tensor(b.pd.diff_src_desc(), src->dims);
  Tensor* dscale = new_tensor(plain_desc(c), c);
  Tensor* dshift = new_tensor(plain_desc(c), c);
  run(b.prim, {{DNNL_ARG_SRC, src->mem},
               {DNNL_ARG_DIFF_DST, as_layout(diff_dst, b.pd.diff_dst_desc())},
               {DNNL_ARG_SCALE, channel_vector(scale, c, "scale")},
               // oneDNN 2.6 checks for the shift argument in backward too, though it does not read it.
               {DNNL_ARG_SHIFT, channel_vector(shift, c, "shift")},
               {DNNL_ARG_MEAN, channel_vector(mean, c, "mean")},
               {DNNL_ARG_VARIANCE, channel_vector(variance, c, "variance")},
               {DNNL_ARG_DIFF_SRC, dx->mem},
               {DNNL_ARG_DIFF_SCALE, dscale->mem},
               {DNNL_ARG_DIFF_SHIFT, dshift->mem}});
  *diff_src = dx;
  *diff_scale = dscale;
  *diff_shift = dshift;
}

namespace {

using LF = dnnl::layer_normalization_forward;
using LB = dnnl::layer_normalization_backward;

struct LayerForward {
  LF::primitive_desc pd;
  LF prim;
};

Dims row_dims(const Dims& dims) {
  if (dims.size() < 2) throw std::invalid_argument("layer norm: input needs at least 2 axes");
  return Dims(dims.begin(), dims.end() - 1);
}

LayerForward& layer_forward_for(const Dims& dims, float epsilon) {
  KeyBuilder k;
  k.add("ln_fwd").add(dims).add(static_cast<int64_t>(epsilon * 1e9));
  return cached<LayerForward>(k.s, [&] {
    LF::desc d(dnnl::prop_kind::forward_training, plain_desc(dims), plain_desc(row_dims(dims)), epsilon,
               dnnl::normalization_flags::none);
    LF::primitive_desc pd(d, cpu_engine());
    return LayerForward{pd, LF(pd)};
  });
}

}  // namespace

Tensor* layer_norm_forward(const Tensor* src, float epsilon, Tensor** mean_out, Tensor** variance_out) {
  const Dims rows = row_dims(src->dims);
  LayerForward& f = layer_forward_for(src->dims, epsilon);
  Tensor* out = new_tensor(plain_desc(src->dims), src->dims);
  Tensor* mean = new_tensor(plain_desc(rows), rows);
  Tensor* variance = new_tensor(plain_desc(rows), rows);
  run(f.prim, {{DNNL_ARG_SRC, as_layout(src, plain_desc(src->dims))},
               {DNNL_ARG_DST, out->mem},
               {DNNL_ARG_MEAN, mean->mem},
               {DNNL_ARG_VARIANCE, variance->mem}});
  *mean_out = mean;
  *variance_out = variance;
  return out;
}

Tensor* layer_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* mean, const Tensor* variance,
                            float epsilon) {
  if (diff_dst->dims != src->dims) throw std::invalid_argument("layer norm backward: gradient has the wrong shape");
  const Dims rows = row_dims(src->dims);
  LayerForward& f = layer_forward_for(src->dims, epsilon);
  KeyBuilder k;
  k.add("ln_bwd").add(src->dims).add(static_cast<int64_t>(epsilon * 1e9));
  struct Backward {
    LB::primitive_desc pd;
    LB prim;
  };
  auto& b = cached<Backward>(k.s, [&] {
    LB::desc d(dnnl::prop_kind::backward_data, plain_desc(src->dims), plain_desc(src->dims), plain_desc(rows),
               epsilon, dnnl::normalization_flags::none);
    LB::primitive_desc pd(d, cpu_engine(), f.pd);
    return Backward{pd, LB(pd)};
  });
  if (mean->dims != rows || variance->dims != rows) throw std::invalid_argument("layer norm backward: bad statistics");
  Tensor* out = new_tensor(plain_desc(src->dims), src->dims);
  run(b.prim, {{DNNL_ARG_SRC, as_layout(src, plain_desc(src->dims))},
               {DNNL_ARG_DIFF_DST, as_layout(diff_dst, plain_desc(src->dims))},
               {DNNL_ARG_MEAN, as_layout(mean, plain_desc(rows))},
               {DNNL_ARG_VARIANCE, as_layout(variance, plain_desc(rows))},
               {DNNL_ARG_DIFF_SRC, out->mem}});
  return out;
}

}  // namespace mosmos

// Convolution and transposed convolution (oneDNN "deconvolution"): forward, backward-data and
// backward-weights. Source, weights and destination use format_tag::any so oneDNN picks its
// fastest (blocked) layouts; results stay in them, only user-facing weights are plain.
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

namespace {

struct ConvShapes {
  Dims src, weights, dst, bias;  // weights in oneDNN's logical (O, I, k...) order
  Dims stride, dilation, pad_l, pad_r;
};

Dims onednn_dilation(const Dims& d) {
  Dims out(d.size());
  for (size_t i = 0; i < d.size(); i++) out[i] = d[i] - 1;
  return out;
}

// torch_weights: (O, I, k...) for convolution, (I, O, k...) for transposed convolution.
ConvShapes shapes_for(const Dims& src, const Dims& torch_weights, const ConvGeometry& g, bool transposed) {
  const size_t spatial = src.size() - 2;
  if (torch_weights.size() != src.size() || g.stride.size() != spatial || g.dilation.size() != spatial ||
      g.padding_l.size() != spatial || g.padding_r.size() != spatial) {
    throw std::invalid_argument("convolution: rank of input, weights and geometry disagree");
  }
  ConvShapes s;
  s.src = src;
  s.weights = torch_weights;
  if (transposed) std::swap(s.weights[0], s.weights[1]);
  if (s.weights[1] != src[1]) throw std::invalid_argument("convolution: input channels do not match the weights");
  s.dst = {src[0], s.weights[0]};
  for (size_t i = 0; i < spatial; i++) {
    const int64_t extent = (s.weights[i + 2] - 1) * g.dilation[i] + 1;
    const int64_t out = transposed ? (src[i + 2] - 1) * g.stride[i] - g.padding_l[i] - g.padding_r[i] + extent
                                   : (src[i + 2] + g.padding_l[i] + g.padding_r[i] - extent) / g.stride[i] + 1;
    if (out <= 0) throw std::invalid_argument("convolution: output would be empty");
    s.dst.push_back(out);
  }
  s.bias = {s.weights[0]};
  s.stride = g.stride;
  s.dilation = onednn_dilation(g.dilation);
  s.pad_l = g.padding_l;
  s.pad_r = g.padding_r;
  return s;
}

// Plain layout of the weights as the user stores them (PyTorch order), seen in oneDNN's order.
memory::desc user_weights_desc(const Dims& onednn_weights, bool transposed) {
  if (!transposed) return plain_desc(onednn_weights);
  switch (onednn_weights.size()) {
    case 3: return memory::desc(onednn_weights, DT::f32, Tag::bac);
    case 4: return memory::desc(onednn_weights, DT::f32, Tag::iohw);
    case 5: return memory::desc(onednn_weights, DT::f32, Tag::iodhw);
    default: throw std::invalid_argument("convolution: 1 to 3 spatial axes");
  }
}

// The user's weights tensor (plain, PyTorch order) as memory in oneDNN's logical order.
memory user_weights(const Tensor* w, const ConvShapes& s, bool transposed) {
  memory plain = as_layout(w, plain_desc(w->dims));
  if (!transposed) return plain;
  return memory(user_weights_desc(s.weights, true), cpu_engine(), plain.get_data_handle());
}

KeyBuilder shape_key(const char* op, const ConvShapes& s, bool transposed, bool bias) {
  KeyBuilder k;
  k.add(op).add(bf16_enabled() ? 1 : 0).add(transposed ? 1 : 0).add(bias ? 1 : 0).add(s.src).add(s.weights).add(s.stride).add(s.dilation);
  k.add(s.pad_l).add(s.pad_r);
  return k;
}


template <class Pd>
struct Cached {
  Pd pd;
  dnnl::primitive prim;
};

dnnl::convolution_forward::primitive_desc conv_fwd_pd(const ConvShapes& s, bool bias) {
  KeyBuilder k = shape_key("conv_fwd_pd", s, false, bias);
  return cached<dnnl::convolution_forward::primitive_desc>(k.s, [&] {
    using CF = dnnl::convolution_forward;
    auto d = bias ? CF::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                             operand_desc(s.src), operand_desc(s.weights), plain_desc(s.bias), any_desc(s.dst),
                             s.stride, s.dilation, s.pad_l, s.pad_r)
                  : CF::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                             operand_desc(s.src), operand_desc(s.weights), any_desc(s.dst), s.stride, s.dilation,
                             s.pad_l, s.pad_r);
    return CF::primitive_desc(d, cpu_engine());
  });
}

dnnl::deconvolution_forward::primitive_desc deconv_fwd_pd(const ConvShapes& s, bool bias) {
  KeyBuilder k = shape_key("deconv_fwd_pd", s, true, bias);
  return cached<dnnl::deconvolution_forward::primitive_desc>(k.s, [&] {
    using DF = dnnl::deconvolution_forward;
    auto d = bias ? DF::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::deconvolution_direct,
                             operand_desc(s.src), operand_desc(s.weights), plain_desc(s.bias), any_desc(s.dst),
                             s.stride, s.dilation, s.pad_l, s.pad_r)
                  : DF::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::deconvolution_direct,
                             operand_desc(s.src), operand_desc(s.weights), any_desc(s.dst), s.stride, s.dilation,
                             s.pad_l, s.pad_r);
    return DF::primitive_desc(d, cpu_engine());
  });
}

}  // namespace

Tensor* conv_forward(const Tensor* src, const Tensor* weights, const Tensor* bias, const ConvGeometry& g,
                     bool transposed) {
  const ConvShapes s = shapes_for(src->dims, weights->dims, g, transposed);
  const bool with_bias = bias != nullptr;
  memory::desc src_md, w_md, dst_md;
  dnnl::primitive prim;
  if (transposed) {
    auto pd = deconv_fwd_pd(s, with_bias);
    src_md = pd.src_desc();
    w_md = pd.weights_desc();
    dst_md = pd.dst_desc();
    KeyBuilder k = shape_key("deconv_fwd", s, true, with_bias);
    prim = cached<dnnl::deconvolution_forward>(k.s, [&] { return dnnl::deconvolution_forward(pd); });
  } else {
    auto pd = conv_fwd_pd(s, with_bias);
    src_md = pd.src_desc();
    w_md = pd.weights_desc();
    dst_md = pd.dst_desc();
    KeyBuilder k = shape_key("conv_fwd", s, false, with_bias);
    prim = cached<dnnl::convolution_forward>(k.s, [&] { return dnnl::convolution_forward(pd); });
  }
  memory w_user = user_weights(weights, s, transposed);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, as_layout(src, src_md)},
      {DNNL_ARG_WEIGHTS, cached_reorder(weights, w_user, transposed ? 1 : 0, w_md)},
  };
  Tensor* out = new_tensor(dst_md, s.dst);
  args[DNNL_ARG_DST] = out->mem;
  if (with_bias) args[DNNL_ARG_BIAS] = as_layout(bias, plain_desc(s.bias));
  run(prim, args);
  return out;
}

Tensor* conv_backward_data(const Tensor* diff_dst, const Tensor* weights, const Dims& src_dims,
                           const ConvGeometry& g, bool transposed) {
  const ConvShapes s = shapes_for(src_dims, weights->dims, g, transposed);
  if (diff_dst->dims != s.dst) throw std::invalid_argument("convolution backward: gradient has the wrong shape");
  memory::desc diff_src_md, w_md, diff_dst_md;
  dnnl::primitive prim;
  KeyBuilder k = shape_key(transposed ? "deconv_bwd_data" : "conv_bwd_data", s, transposed, false);
  if (transposed) {
    using DB = dnnl::deconvolution_backward_data;
    auto& c = cached<Cached<DB::primitive_desc>>(k.s, [&] {
      DB::desc d(dnnl::algorithm::deconvolution_direct, any_desc(s.src), operand_desc(s.weights), operand_desc(s.dst),
                 s.stride, s.dilation, s.pad_l, s.pad_r);
      DB::primitive_desc pd(d, cpu_engine(), deconv_fwd_pd(s, false));
      return Cached<DB::primitive_desc>{pd, DB(pd)};
    });
    diff_src_md = c.pd.diff_src_desc();
    w_md = c.pd.weights_desc();
    diff_dst_md = c.pd.diff_dst_desc();
    prim = c.prim;
  } else {
    using CB = dnnl::convolution_backward_data;
    auto& c = cached<Cached<CB::primitive_desc>>(k.s, [&] {
      CB::desc d(dnnl::algorithm::convolution_direct, any_desc(s.src), operand_desc(s.weights), operand_desc(s.dst),
                 s.stride, s.dilation, s.pad_l, s.pad_r);
      CB::primitive_desc pd(d, cpu_engine(), conv_fwd_pd(s, false));
      return Cached<CB::primitive_desc>{pd, CB(pd)};
    });
    diff_src_md = c.pd.diff_src_desc();
    w_md = c.pd.weights_desc();
    diff_dst_md = c.pd.diff_dst_desc();
    prim = c.prim;
  }
  memory w_user = user_weights(weights, s, transposed);
  Tensor* out = new_tensor(diff_src_md, s.src);
  run(prim, {{DNNL_ARG_DIFF_DST, as_layout(diff_dst, diff_dst_md)},
             {DNNL_ARG_WEIGHTS, cached_reorder(weights, w_user, transposed ? 1 : 0, w_md)},
             {DNNL_ARG_DIFF_SRC, out->mem}});
  return out;
}

void conv_backward_weights(const Tensor* src, const Tensor* diff_dst, const Dims& weight_dims,
                           const ConvGeometry& g, bool transposed, Tensor** diff_weights, Tensor** diff_bias) {
  const ConvShapes s = shapes_for(src->dims, weight_dims, g, transposed);
  if (diff_dst->dims != s.dst) throw std::invalid_argument("convolution backward: gradient has the wrong shape");
  const bool with_bias = diff_bias != nullptr;
  memory::desc src_md, dw_md, diff_dst_md;
  dnnl::primitive prim;
  KeyBuilder k = shape_key(transposed ? "deconv_bwd_w" : "conv_bwd_w", s, transposed, with_bias);
  if (transposed) {
    using DW = dnnl::deconvolution_backward_weights;
    auto& c = cached<Cached<DW::primitive_desc>>(k.s, [&] {
      auto d = with_bias ? DW::desc(dnnl::algorithm::deconvolution_direct, operand_desc(s.src), any_desc(s.weights),
                                    plain_desc(s.bias), operand_desc(s.dst), s.stride, s.dilation, s.pad_l, s.pad_r)
                         : DW::desc(dnnl::algorithm::deconvolution_direct, operand_desc(s.src), any_desc(s.weights),
                                    operand_desc(s.dst), s.stride, s.dilation, s.pad_l, s.pad_r);
      DW::primitive_desc pd(d, cpu_engine(), deconv_fwd_pd(s, with_bias));
      return Cached<DW::primitive_desc>{pd, DW(pd)};
    });
    src_md = c.pd.src_desc();
    dw_md = c.pd.diff_weights_desc();
    diff_dst_md = c.pd.diff_dst_desc();
    prim = c.prim;
  } else {
    using CW = dnnl::convolution_backward_weights;
    // With format_tag::any, oneDNN 2.6 picks plain layouts and its slow GEMM path for some small
    // channel counts (8 in, 8 or 16 out in 3D). Try the layouts the operands already have, then
    // channel-blocked ones, and keep the first that a direct JIT kernel implements.
    k.add(src->mem.get_desc()).add(diff_dst->mem.get_desc());
    auto& c = cached<Cached<CW::primitive_desc>>(k.s, [&] {
      auto make = [&](const memory::desc& src_d, const memory::desc& dst_d) {
        auto d = with_bias ? CW::desc(dnnl::algorithm::convolution_direct, src_d, any_desc(s.weights),
                                      plain_desc(s.bias), dst_d, s.stride, s.dilation, s.pad_l, s.pad_r)
                           : CW::desc(dnnl::algorithm::convolution_direct, src_d, any_desc(s.weights), dst_d,
                                      s.stride, s.dilation, s.pad_l, s.pad_r);
        return CW::primitive_desc(d, cpu_engine(), conv_fwd_pd(s, with_bias));
      };
      const memory::desc src_have = src->mem.get_desc();
      const memory::desc dst_have = diff_dst->mem.get_desc();
      const memory::desc blocked16 = channel_blocked_desc(s.src, 16);
      std::vector<std::pair<memory::desc, memory::desc>> tries;
      // bf16: one combination, oneDNN's choice (its bf16 kernels want their own blocking).
      if (bf16_enabled()) tries = {{operand_desc(s.src), operand_desc(s.dst)}};
      else tries = {
          {is_plain(src_have) ? any_desc(s.src) : src_have, is_plain(dst_have) ? any_desc(s.dst) : dst_have},
          {any_desc(s.src), any_desc(s.dst)},
          {blocked16, channel_blocked_desc(s.dst, 16)},
          {channel_blocked_desc(s.src, 8), channel_blocked_desc(s.dst, 8)},
          // oneDNN 2.6 has a JIT kernel for 8 input channels only in channels-last form.
          {channels_last_desc(s.src), channels_last_desc(s.dst)},
      };
      for (const auto& t : tries) {
        try {
          CW::primitive_desc pd = make(t.first, t.second);
          if (!slow_implementation(pd.impl_info_str())) return Cached<CW::primitive_desc>{pd, CW(pd)};
        } catch (const dnnl::error&) {
          // this combination is not implemented; try the next
        }
      }
      CW::primitive_desc pd = make(operand_desc(s.src), operand_desc(s.dst));
      return Cached<CW::primitive_desc>{pd, CW(pd)};
    });
    src_md = c.pd.src_desc();
    dw_md = c.pd.diff_weights_desc();
    diff_dst_md = c.pd.diff_dst_desc();
    prim = c.prim;
  }
  memory dw = scratch_memory(dw_md);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, as_layout(src, src_md)},
                                       {DNNL_ARG_DIFF_DST, as_layout(diff_dst, diff_dst_md)},
                                       {DNNL_ARG_DIFF_WEIGHTS, dw}};
  Tensor* bias_out = nullptr;
  if (with_bias) {
    bias_out = new_tensor(plain_desc(s.bias), s.bias);
    args[DNNL_ARG_DIFF_BIAS] = bias_out->mem;
  }
  run(prim, args);
  // Hand back plain weights gradients in the user's (PyTorch) order.
  Tensor* w_out = new_tensor(plain_desc(weight_dims), weight_dims);
  memory view(user_weights_desc(s.weights, transposed), cpu_engine(), w_out->mem.get_data_handle());
  KeyBuilder rk;
  rk.add("reorder").add(dw_md).add(view.get_desc());
  auto& r = cached<dnnl::reorder>(rk.s, [&] { return dnnl::reorder(dw, view); });
  run(r, {{DNNL_ARG_FROM, dw}, {DNNL_ARG_TO, view}});
  *diff_weights = w_out;
  if (with_bias) *diff_bias = bias_out;
}

}  // namespace mosmos

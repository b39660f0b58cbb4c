// Max and average pooling in whatever layout the source already has.
#include <stdexcept>

#include "dnnl_internal.h"

namespace mosmos {

namespace {

dnnl::algorithm pool_algorithm(PoolKind kind) {
  switch (kind) {
    case PoolKind::max: return dnnl::algorithm::pooling_max;
    case PoolKind::avg_include_padding: return dnnl::algorithm::pooling_avg_include_padding;
    default: return dnnl::algorithm::pooling_avg_exclude_padding;
  }
}

Dims pooled_dims(const Dims& src, const PoolGeometry& g) {
  const size_t spatial = src.size() - 2;
  if (g.kernel.size() != spatial || g.stride.size() != spatial || g.dilation.size() != spatial ||
      g.padding_l.size() != spatial || g.padding_r.size() != spatial) {
    throw std::invalid_argument("pooling: rank of input and geometry disagree");
  }
  Dims dst{src[0], src[1]};
  for (size_t i = 0; i < spatial; i++) {
    const int64_t extent = (g.kernel[i] - 1) * g.dilation[i] + 1;
    const int64_t out = (src[i + 2] + g.padding_l[i] + g.padding_r[i] - extent) / g.stride[i] + 1;
    if (out <= 0) throw std::invalid_argument("pooling: output would be empty");
    dst.push_back(out);
  }
  return dst;
}

Dims minus_one(const Dims& d) {
  Dims out(d);
  for (auto& v : out) v -= 1;
  return out;
}

using PF = dnnl::pooling_v2_forward;
using PB = dnnl::pooling_v2_backward;

struct Forward {
  PF::primitive_desc pd;
  PF prim;
};

Forward& forward_for(const memory::desc& src_md, const Dims& dst, PoolKind kind, const PoolGeometry& g,
                     bool training) {
  KeyBuilder k;
  k.add("pool_fwd").add(static_cast<int64_t>(kind)).add(training ? 1 : 0).add(src_md).add(g.kernel).add(g.stride);
  k.add(g.dilation).add(g.padding_l).add(g.padding_r);
  return cached<Forward>(k.s, [&] {
    PF::desc d(training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
               pool_algorithm(kind), src_md, desc_like(src_md, dst), g.stride, g.kernel, minus_one(g.dilation),
               g.padding_l, g.padding_r);
    PF::primitive_desc pd(d, cpu_engine());
    return Forward{pd, PF(pd)};
  });
}

}  // namespace

Tensor* pool_forward(const Tensor* src, PoolKind kind, const PoolGeometry& g, bool training) {
  const Dims dst = pooled_dims(src->dims, g);
  const memory::desc src_md = src->mem.get_desc();
  const bool keep_workspace = training && kind == PoolKind::max;
  Forward& f = forward_for(src_md, dst, kind, g, keep_workspace);
  Tensor* out = new_tensor(f.pd.dst_desc(), dst);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DST, out->mem}};
  if (keep_workspace) {
    out->workspace_buffer = pooled_buffer(f.pd.workspace_desc().get_size());
    out->workspace = memory(f.pd.workspace_desc(), cpu_engine(), out->workspace_buffer.get());
    out->has_workspace = true;
    args[DNNL_ARG_WORKSPACE] = out->workspace;
  }
  run(f.prim, args);
  return out;
}

Tensor* pool_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* dst, PoolKind kind,
                      const PoolGeometry& g) {
  const Dims dst_dims = pooled_dims(src->dims, g);
  if (diff_dst->dims != dst_dims) throw std::invalid_argument("pooling backward: gradient has the wrong shape");
  const memory::desc src_md = src->mem.get_desc();
  const bool is_max = kind == PoolKind::max;
  Forward& f = forward_for(src_md, dst_dims, kind, g, is_max);
  KeyBuilder k;
  k.add("pool_bwd").add(static_cast<int64_t>(kind)).add(src_md).add(g.kernel).add(g.stride).add(g.dilation);
  k.add(g.padding_l).add(g.padding_r);
  struct Backward {
    PB::primitive_desc pd;
    PB prim;
  };
  auto& b = cached<Backward>(k.s, [&] {
    PB::desc d(pool_algorithm(kind), src_md, f.pd.dst_desc(), g.stride, g.kernel, minus_one(g.dilation),
               g.padding_l, g.padding_r);
    PB::primitive_desc pd(d, cpu_engine(), f.pd);
    return Backward{pd, PB(pd)};
  });
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, as_layout(diff_dst, b.pd.diff_dst_desc())}};
  if (is_max) {
    // The forward's workspace records where each maximum came from; recompute it if the
    // pooled output at hand does not carry one (for example after being read back from JS).
    if (dst != nullptr && dst->has_workspace && dst->workspace.get_desc() == f.pd.workspace_desc()) {
      args[DNNL_ARG_WORKSPACE] = dst->workspace;
    } else {
      memory scratch_dst = scratch_memory(f.pd.dst_desc());
      memory ws = scratch_memory(f.pd.workspace_desc());
      run(f.prim, {{DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DST, scratch_dst}, {DNNL_ARG_WORKSPACE, ws}});
      args[DNNL_ARG_WORKSPACE] = ws;
    }
  }
  Tensor* out = new_tensor(b.pd.diff_src_desc(), src->dims);
  args[DNNL_ARG_DIFF_SRC] = out->mem;
  run(b.prim, args);
  return out;
}

}  // namespace mosmos

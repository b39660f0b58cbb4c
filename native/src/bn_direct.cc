// Batch-norm training forward and backward as direct loops over plain or channel-blocked
// memory. oneDNN 2.6's bnorm_jit parallelises over channel blocks, so a 16-channel activation
// (one block) runs on one thread at a fraction of memory bandwidth; these loops split the
// spatial axis instead. Statistics accumulate in double.
#include <cmath>
#include <vector>

#include "channel_layout.h"

namespace mosmos {

namespace {

// Per-channel sums of f(i, channel) over the tensor, in double.
template <class F>
std::vector<double> channel_sums(const ChannelLayout& l, int terms, F f) {
  const int threads = omp_get_max_threads();
  const int64_t padded = l.blocks * l.block;
  std::vector<double> partial(static_cast<size_t>(threads * terms * padded), 0.0);
  for_chunks(l, [&](int thread, int64_t row, int64_t s0, int64_t s1) {
    double* acc = partial.data() + static_cast<size_t>(thread) * terms * padded;
    const int64_t cb = row % l.blocks;
    const int64_t base = row * l.spatial * l.block;
    for (int64_t s = s0; s < s1; s++)
      for (int64_t b = 0; b < l.block; b++) f(base + s * l.block + b, cb * l.block + b, acc, padded);
  });
  std::vector<double> total(static_cast<size_t>(terms * padded), 0.0);
  for (int t = 0; t < threads; t++)
    for (size_t i = 0; i < total.size(); i++) total[i] += partial[static_cast<size_t>(t) * total.size() + i];
  return total;
}

// Per-channel scale (gamma) and shift (beta) as padded float vectors: ones and zeros when absent,
// zeros on padded channels so the padding stays zero.
void affine_vectors(const Tensor* scale, const Tensor* shift, const ChannelLayout& l, std::vector<float>* gamma,
                    std::vector<float>* beta) {
  const int64_t padded = l.blocks * l.block;
  gamma->assign(static_cast<size_t>(padded), 0.f);
  beta->assign(static_cast<size_t>(padded), 0.f);
  const Dims c{l.channels};
  const float* g = scale ? static_cast<const float*>(as_layout(scale, plain_desc(c)).get_data_handle()) : nullptr;
  const float* b = shift ? static_cast<const float*>(as_layout(shift, plain_desc(c)).get_data_handle()) : nullptr;
  for (int64_t ch = 0; ch < l.channels; ch++) {
    (*gamma)[ch] = g ? g[ch] : 1.f;
    (*beta)[ch] = b ? b[ch] : 0.f;
  }
}

// y = (x - mean) (rstd gamma) + beta per channel, in x's layout: the affine rides in the same
// pass, so a batch-norm layer costs one read and one write of the activation. Padded channels
// have mean 0 and scale 0, so the padding stays zero as oneDNN expects.
Tensor* normalize(const Tensor* src, const ChannelLayout& l, const std::vector<float>& mean,
                  const std::vector<float>& scale, const std::vector<float>& beta) {
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  Tensor* out = new_tensor(src->mem.get_desc(), src->dims);
  float* y = static_cast<float*>(out->mem.get_data_handle());
  for_chunks(l, [&](int, int64_t row, int64_t s0, int64_t s1) {
    const int64_t cb = row % l.blocks;
    const int64_t base = row * l.spatial * l.block;
    const float* m = mean.data() + cb * l.block;
    const float* r = scale.data() + cb * l.block;
    const float* sh = beta.data() + cb * l.block;
    for (int64_t s = s0; s < s1; s++) {
      const int64_t o = base + s * l.block;
      for (int64_t b = 0; b < l.block; b++) y[o + b] = (x[o + b] - m[b]) * r[b] + sh[b];
    }
  });
  return out;
}

}  // namespace

bool batch_norm_inference_direct(const Tensor* src, const Tensor* scale, const Tensor* shift, const Tensor* mean,
                                 const Tensor* variance, float epsilon, Tensor** dst) {
  ChannelLayout l;
  if (!channel_layout(src->mem.get_desc(), src->dims, &l)) return false;
  const Dims c{l.channels};
  const float* mean_p = static_cast<const float*>(as_layout(mean, plain_desc(c)).get_data_handle());
  const float* var_p = static_cast<const float*>(as_layout(variance, plain_desc(c)).get_data_handle());
  const int64_t padded = l.blocks * l.block;
  std::vector<float> m(static_cast<size_t>(padded), 0.f), r(static_cast<size_t>(padded), 0.f);
  for (int64_t ch = 0; ch < l.channels; ch++) {
    m[ch] = mean_p[ch];
    r[ch] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var_p[ch]) + epsilon));
  }
  std::vector<float> gamma, beta;
  affine_vectors(scale, shift, l, &gamma, &beta);
  for (int64_t ch = 0; ch < padded; ch++) r[ch] *= gamma[ch];
  *dst = normalize(src, l, m, r, beta);
  return true;
}

bool batch_norm_forward_direct(const Tensor* src, const Tensor* scale, const Tensor* shift, float epsilon,
                               Tensor** dst, Tensor** mean_out, Tensor** variance_out) {
  ChannelLayout l;
  const memory::desc md = src->mem.get_desc();
  if (!channel_layout(md, src->dims, &l)) return false;
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  const std::vector<double> sums = channel_sums(l, 2, [x](int64_t i, int64_t c, double* acc, int64_t padded) {
    const double v = x[i];
    acc[c] += v;
    acc[padded + c] += v * v;
  });
  const int64_t padded = l.blocks * l.block;
  const double count = static_cast<double>(l.n * l.spatial);
  std::vector<float> mean(static_cast<size_t>(padded), 0.f), rstd(static_cast<size_t>(padded), 0.f);
  const Dims c{l.channels};
  Tensor* mean_t = new_tensor(plain_desc(c), c);
  Tensor* var_t = new_tensor(plain_desc(c), c);
  float* mean_p = static_cast<float*>(mean_t->mem.get_data_handle());
  float* var_p = static_cast<float*>(var_t->mem.get_data_handle());
  for (int64_t ch = 0; ch < l.channels; ch++) {
    const double m = sums[ch] / count;
    const double var = std::max(0.0, sums[padded + ch] / count - m * m);
    mean[ch] = static_cast<float>(m);
    rstd[ch] = static_cast<float>(1.0 / std::sqrt(var + epsilon));
    mean_p[ch] = static_cast<float>(m);
    var_p[ch] = static_cast<float>(var);
  }
  std::vector<float> gamma, beta;
  affine_vectors(scale, shift, l, &gamma, &beta);
  for (int64_t ch = 0; ch < padded; ch++) rstd[ch] *= gamma[ch];
  *dst = normalize(src, l, mean, rstd, beta);
  *mean_out = mean_t;
  *variance_out = var_t;
  return true;
}

bool batch_norm_backward_direct(const Tensor* diff_dst, const Tensor* src, const Tensor* scale, const Tensor* mean,
                                const Tensor* variance, float epsilon, Tensor** diff_src, Tensor** diff_scale,
                                Tensor** diff_shift) {
  ChannelLayout l;
  const memory::desc md = src->mem.get_desc();
  if (!channel_layout(md, src->dims, &l)) return false;
  const Dims c{l.channels};
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  const float* dy = static_cast<const float*>(as_layout(diff_dst, md).get_data_handle());
  const float* mean_p = static_cast<const float*>(as_layout(mean, plain_desc(c)).get_data_handle());
  const float* var_p = static_cast<const float*>(as_layout(variance, plain_desc(c)).get_data_handle());
  const int64_t padded = l.blocks * l.block;
  std::vector<float> m(static_cast<size_t>(padded), 0.f), r(static_cast<size_t>(padded), 0.f);
  for (int64_t ch = 0; ch < l.channels; ch++) {
    m[ch] = mean_p[ch];
    r[ch] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var_p[ch]) + epsilon));
  }
  const std::vector<double> sums =
      channel_sums(l, 2, [&](int64_t i, int64_t ch, double* acc, int64_t pad) {
        acc[ch] += dy[i];
        acc[pad + ch] += static_cast<double>(dy[i]) * (x[i] - m[ch]);
      });
  // dx = gamma rstd (dy - mean(dy) - (x - mean) rstd² mean(dy (x - mean)))
  const double count = static_cast<double>(l.n * l.spatial);
  std::vector<float> a(static_cast<size_t>(padded), 0.f), k(static_cast<size_t>(padded), 0.f);
  for (int64_t ch = 0; ch < l.channels; ch++) {
    a[ch] = static_cast<float>(sums[ch] / count);
    k[ch] = static_cast<float>(static_cast<double>(r[ch]) * r[ch] * sums[padded + ch] / count);
  }
  std::vector<float> gamma, unused;
  affine_vectors(scale, nullptr, l, &gamma, &unused);
  std::vector<float> gr(static_cast<size_t>(padded), 0.f);  // gamma rstd
  for (int64_t ch = 0; ch < padded; ch++) gr[ch] = gamma[ch] * r[ch];
  Tensor* out = new_tensor(md, src->dims);
  float* dx = static_cast<float*>(out->mem.get_data_handle());
  for_chunks(l, [&](int, int64_t row, int64_t s0, int64_t s1) {
    const int64_t cb = row % l.blocks;
    const int64_t base = row * l.spatial * l.block;
    const int64_t c0 = cb * l.block;
    for (int64_t s = s0; s < s1; s++) {
      const int64_t o = base + s * l.block;
      for (int64_t b = 0; b < l.block; b++) {
        dx[o + b] = gr[c0 + b] * (dy[o + b] - a[c0 + b] - (x[o + b] - m[c0 + b]) * k[c0 + b]);
      }
    }
  });
  // The scale and shift gradients: sum(dy xhat) and sum(dy).
  Tensor* dscale = new_tensor(plain_desc(c), c);
  Tensor* dshift = new_tensor(plain_desc(c), c);
  float* dscale_p = static_cast<float*>(dscale->mem.get_data_handle());
  float* dshift_p = static_cast<float*>(dshift->mem.get_data_handle());
  for (int64_t ch = 0; ch < l.channels; ch++) {
    dscale_p[ch] = static_cast<float>(sums[padded + ch] * r[ch]);
    dshift_p[ch] = static_cast<float>(sums[ch]);
  }
  *diff_src = out;
  *diff_scale = dscale;
  *diff_shift = dshift;
  return true;
}

}  // namespace mosmos

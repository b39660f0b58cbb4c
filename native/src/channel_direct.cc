// Instance normalisation (with its affine and an optional leaky ReLU in the same pass) and softmax
// over the channel axis, as direct loops in the activation's own plain or channel-blocked layout.
// Before these, an instance norm reordered a blocked activation to plain, ran oneDNN's layer norm
// on [N·C, S] rows and applied the affine as two broadcast ops; and oneDNN 2.6's softmax backward
// over axis 1 of a 14-class [N, 14, H, W] tensor ran a reference loop (≈ 0.7 s per call for a
// 8×14×96² batch). Statistics and softmax sums accumulate in double / float respectively.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "channel_layout.h"

namespace mosmos {

namespace {

ChannelLayout layout_of(const Tensor* t, const char* what) {
  ChannelLayout l;
  if (!channel_layout(t->mem.get_desc(), t->dims, &l))
    throw std::invalid_argument(std::string(what) + ": unsupported memory layout");
  return l;
}

// Per-(sample, channel) vector [N, C] as padded floats [N][padded] (zeros on padded channels).
std::vector<float> per_instance(const Tensor* t, const ChannelLayout& l) {
  const Dims d{l.n, l.channels};
  if (t->dims != d) throw std::invalid_argument("instance norm: statistics must be [N, C]");
  const float* p = static_cast<const float*>(as_layout(t, plain_desc(d)).get_data_handle());
  std::vector<float> out(static_cast<size_t>(l.n * l.padded()), 0.f);
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.channels; c++) out[n * l.padded() + c] = p[n * l.channels + c];
  return out;
}

// Per-channel [C] vector as padded floats (`fill` when absent, zeros on padded channels).
std::vector<float> per_channel(const Tensor* t, const ChannelLayout& l, float fill) {
  std::vector<float> out(static_cast<size_t>(l.padded()), 0.f);
  const Dims c{l.channels};
  if (t != nullptr && t->dims != c) throw std::invalid_argument("instance norm: weight and bias must be [C]");
  const float* p = t ? static_cast<const float*>(as_layout(t, plain_desc(c)).get_data_handle()) : nullptr;
  for (int64_t i = 0; i < l.channels; i++) out[i] = p ? p[i] : fill;
  return out;
}

// Sums of `terms` quantities per (sample, channel) over space, in double, split over threads.
template <class F>
std::vector<double> instance_sums(const ChannelLayout& l, int terms, F f) {
  const int threads = omp_get_max_threads();
  const int64_t width = l.n * l.padded();
  std::vector<double> partial(static_cast<size_t>(threads) * terms * width, 0.0);
  for_chunks(l, [&](int thread, int64_t row, int64_t s0, int64_t s1) {
    double* acc = partial.data() + static_cast<size_t>(thread) * terms * width;
    const int64_t n = row / l.blocks, cb = row % l.blocks;
    const int64_t base = row * l.spatial * l.block;
    const int64_t k0 = n * l.padded() + cb * l.block;
    for (int64_t s = s0; s < s1; s++)
      for (int64_t b = 0; b < l.block; b++) f(base + s * l.block + b, k0 + b, acc, width);
  });
  std::vector<double> total(static_cast<size_t>(terms * width), 0.0);
  for (int t = 0; t < threads; t++)
    for (size_t i = 0; i < total.size(); i++) total[i] += partial[static_cast<size_t>(t) * total.size() + i];
  return total;
}

Tensor* instance_vector(const ChannelLayout& l, const std::vector<float>& values) {
  const Dims d{l.n, l.channels};
  Tensor* t = new_tensor(plain_desc(d), d);
  float* p = static_cast<float*>(t->mem.get_data_handle());
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.channels; c++) p[n * l.channels + c] = values[n * l.padded() + c];
  return t;
}

}  // namespace

Tensor* instance_norm_forward(const Tensor* src, const Tensor* scale, const Tensor* shift,
                              const InstanceNormOptions& o, Tensor** mean_out, Tensor** rstd_out) {
  const ChannelLayout l = layout_of(src, "instance norm");
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  const std::vector<double> sums = instance_sums(l, 2, [x](int64_t i, int64_t k, double* acc, int64_t w) {
    const double v = x[i];
    acc[k] += v;
    acc[w + k] += v * v;
  });
  const int64_t width = l.n * l.padded();
  const std::vector<float> gamma = per_channel(scale, l, 1.f), beta = per_channel(shift, l, 0.f);
  std::vector<float> mean(static_cast<size_t>(width), 0.f), rstd(static_cast<size_t>(width), 0.f);
  std::vector<float> a(static_cast<size_t>(width), 0.f), b(static_cast<size_t>(width), 0.f);
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.channels; c++) {
      const int64_t k = n * l.padded() + c;
      const double m = sums[k] / static_cast<double>(l.spatial);
      const double var = std::max(0.0, sums[width + k] / static_cast<double>(l.spatial) - m * m);
      mean[k] = static_cast<float>(m);
      rstd[k] = static_cast<float>(1.0 / std::sqrt(var + o.epsilon));
      // y = x a + b with a = rstd gamma, b = beta - mean rstd gamma (zeros on padded channels).
      a[k] = rstd[k] * gamma[c];
      b[k] = static_cast<float>(beta[c] - m * a[k]);
    }
  Tensor* out = new_tensor(src->mem.get_desc(), src->dims);
  float* y = static_cast<float*>(out->mem.get_data_handle());
  const bool act = o.activation;
  const float slope = o.negative_slope;
  for_chunks(l, [&](int, int64_t row, int64_t s0, int64_t s1) {
    const int64_t n = row / l.blocks, cb = row % l.blocks;
    const float* ak = a.data() + n * l.padded() + cb * l.block;
    const float* bk = b.data() + n * l.padded() + cb * l.block;
    const int64_t base = row * l.spatial * l.block;
    for (int64_t s = s0; s < s1; s++) {
      const int64_t off = base + s * l.block;
      for (int64_t j = 0; j < l.block; j++) {
        const float v = x[off + j] * ak[j] + bk[j];
        y[off + j] = act && v < 0.f ? v * slope : v;
      }
    }
  });
  *mean_out = instance_vector(l, mean);
  *rstd_out = instance_vector(l, rstd);
  return out;
}

void instance_norm_backward(const Tensor* diff_dst, const Tensor* src, const Tensor* mean_t, const Tensor* rstd_t,
                            const Tensor* scale, const Tensor* shift, const InstanceNormOptions& o,
                            Tensor** diff_src, Tensor** diff_scale, Tensor** diff_shift) {
  const ChannelLayout l = layout_of(src, "instance norm backward");
  const memory::desc md = src->mem.get_desc();
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  const float* dy = static_cast<const float*>(as_layout(diff_dst, md).get_data_handle());
  const std::vector<float> mean = per_instance(mean_t, l), rstd = per_instance(rstd_t, l);
  const std::vector<float> gamma = per_channel(scale, l, 1.f), beta = per_channel(shift, l, 0.f);
  const int64_t width = l.n * l.padded();
  // The pre-activation y = xhat gamma + beta, recomputed where the leaky ReLU needs its sign.
  std::vector<float> a(static_cast<size_t>(width), 0.f), b(static_cast<size_t>(width), 0.f);
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.padded(); c++) {
      const int64_t k = n * l.padded() + c;
      a[k] = rstd[k] * gamma[c];
      b[k] = beta[c] - mean[k] * a[k];
    }
  const bool act = o.activation;
  const float slope = o.negative_slope;
  auto grad = [&](int64_t i, int64_t k) {
    const float g = dy[i];
    return act && x[i] * a[k] + b[k] < 0.f ? g * slope : g;
  };
  // Per instance: A = sum g, B = sum g xhat (g = gradient at the norm's output).
  const std::vector<double> sums = instance_sums(l, 2, [&](int64_t i, int64_t k, double* acc, int64_t w) {
    const double g = grad(i, k);
    acc[k] += g;
    acc[w + k] += g * (x[i] - mean[k]) * rstd[k];
  });
  // dx = gamma rstd (g - A/S - xhat B/S)
  std::vector<float> ga(static_cast<size_t>(width), 0.f), mA(static_cast<size_t>(width), 0.f),
      mB(static_cast<size_t>(width), 0.f);
  const double count = static_cast<double>(l.spatial);
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.channels; c++) {
      const int64_t k = n * l.padded() + c;
      ga[k] = gamma[c] * rstd[k];
      mA[k] = static_cast<float>(sums[k] / count);
      mB[k] = static_cast<float>(sums[width + k] / count);
    }
  Tensor* out = new_tensor(md, src->dims);
  float* dx = static_cast<float*>(out->mem.get_data_handle());
  for_chunks(l, [&](int, int64_t row, int64_t s0, int64_t s1) {
    const int64_t n = row / l.blocks, cb = row % l.blocks;
    const int64_t k0 = n * l.padded() + cb * l.block;
    const int64_t base = row * l.spatial * l.block;
    for (int64_t s = s0; s < s1; s++) {
      const int64_t off = base + s * l.block;
      for (int64_t j = 0; j < l.block; j++) {
        const int64_t k = k0 + j;
        const float xhat = (x[off + j] - mean[k]) * rstd[k];
        dx[off + j] = ga[k] * (grad(off + j, k) - mA[k] - xhat * mB[k]);
      }
    }
  });
  const Dims c{l.channels};
  *diff_scale = new_tensor(plain_desc(c), c);
  *diff_shift = new_tensor(plain_desc(c), c);
  float* ds = static_cast<float*>((*diff_scale)->mem.get_data_handle());
  float* db = static_cast<float*>((*diff_shift)->mem.get_data_handle());
  for (int64_t ch = 0; ch < l.channels; ch++) {
    double sa = 0, sb = 0;
    for (int64_t n = 0; n < l.n; n++) {
      sa += sums[n * l.padded() + ch];
      sb += sums[width + n * l.padded() + ch];
    }
    ds[ch] = static_cast<float>(sb);
    db[ch] = static_cast<float>(sa);
  }
  *diff_src = out;
}

// ---- softmax over axis 1 ----

namespace {

constexpr int64_t kSoftmaxChunk = 512;

// Calls fn(n, s0, s1) for chunks of positions of every sample, in parallel.
template <class F>
void for_positions(const ChannelLayout& l, F fn) {
  const int64_t chunks = (l.spatial + kSoftmaxChunk - 1) / kSoftmaxChunk;
  const int64_t items = l.n * chunks;
  const bool parallel = items > 1 && l.n * l.padded() * l.spatial >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t item = 0; item < items; item++) {
    const int64_t s0 = (item % chunks) * kSoftmaxChunk;
    fn(item / chunks, s0, std::min(l.spatial, s0 + kSoftmaxChunk));
  }
}

}  // namespace

bool channel_softmax_forward(const Tensor* src, bool log, Tensor** dst) {
  ChannelLayout l;
  if (!channel_layout(src->mem.get_desc(), src->dims, &l) || l.spatial < 1) return false;
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  Tensor* out = new_tensor(src->mem.get_desc(), src->dims);
  float* y = static_cast<float*>(out->mem.get_data_handle());
  if (l.padded() != l.channels) std::fill(y, y + l.n * l.padded() * l.spatial, 0.f);
  for_positions(l, [&](int64_t n, int64_t s0, int64_t s1) {
    float mx[kSoftmaxChunk], sum[kSoftmaxChunk];
    const int64_t len = s1 - s0;
    std::fill(mx, mx + len, -std::numeric_limits<float>::infinity());
    std::fill(sum, sum + len, 0.f);
    for (int64_t c = 0; c < l.channels; c++)
      for (int64_t s = 0; s < len; s++) mx[s] = std::max(mx[s], x[l.at(n, c, s0 + s)]);
    for (int64_t c = 0; c < l.channels; c++)
      for (int64_t s = 0; s < len; s++) {
        const int64_t i = l.at(n, c, s0 + s);
        const float e = std::exp(x[i] - mx[s]);
        sum[s] += e;
        if (!log) y[i] = e;
      }
    for (int64_t s = 0; s < len; s++) sum[s] = log ? mx[s] + std::log(sum[s]) : 1.f / sum[s];
    for (int64_t c = 0; c < l.channels; c++)
      for (int64_t s = 0; s < len; s++) {
        const int64_t i = l.at(n, c, s0 + s);
        y[i] = log ? x[i] - sum[s] : y[i] * sum[s];
      }
  });
  *dst = out;
  return true;
}

bool channel_softmax_backward(const Tensor* diff_dst, const Tensor* dst, bool log, Tensor** diff_src) {
  ChannelLayout l;
  const memory::desc md = dst->mem.get_desc();
  if (!channel_layout(md, dst->dims, &l) || l.spatial < 1) return false;
  const float* y = static_cast<const float*>(dst->mem.get_data_handle());
  const float* dy = static_cast<const float*>(as_layout(diff_dst, md).get_data_handle());
  Tensor* out = new_tensor(md, dst->dims);
  float* dx = static_cast<float*>(out->mem.get_data_handle());
  if (l.padded() != l.channels) std::fill(dx, dx + l.n * l.padded() * l.spatial, 0.f);
  for_positions(l, [&](int64_t n, int64_t s0, int64_t s1) {
    float acc[kSoftmaxChunk];
    const int64_t len = s1 - s0;
    std::fill(acc, acc + len, 0.f);
    // softmax: dx = y (dy - sum dy y); log-softmax: dx = dy - exp(y) sum dy.
    for (int64_t c = 0; c < l.channels; c++)
      for (int64_t s = 0; s < len; s++) {
        const int64_t i = l.at(n, c, s0 + s);
        acc[s] += log ? dy[i] : dy[i] * y[i];
      }
    for (int64_t c = 0; c < l.channels; c++)
      for (int64_t s = 0; s < len; s++) {
        const int64_t i = l.at(n, c, s0 + s);
        dx[i] = log ? dy[i] - std::exp(y[i]) * acc[s] : y[i] * (dy[i] - acc[s]);
      }
  });
  *diff_src = out;
  return true;
}

}  // namespace mosmos

namespace mosmos {

// Concatenation along channels straight into a channel-blocked result (the block of the first
// blocked part; 8 when none is blocked), whatever the parts' layouts and however their channel
// counts fall on blocks. oneDNN's concat has only a reference loop when boundaries are not on
// block edges (a decoder's [up 16 | skip 16 | 13 attention maps]), so the result used to be built
// plain and reordered to the next convolution's padded blocking — ≈ 17 ms per 8×45×96² input.
bool channel_concat(const std::vector<const Tensor*>& parts, Tensor** dst) {
  if (parts.size() < 2 || parts[0]->dims.size() < 3 || parts[0]->dims.size() > 5) return false;
  std::vector<ChannelLayout> layouts(parts.size());
  int64_t block = 0, channels = 0;
  for (size_t i = 0; i < parts.size(); i++) {
    if (!channel_layout(parts[i]->mem.get_desc(), parts[i]->dims, &layouts[i])) return false;
    if (block == 0 && layouts[i].block > 1) block = layouts[i].block;
    channels += parts[i]->dims[1];
  }
  if (block != 8 && block != 16) block = 8;
  Dims dims = parts[0]->dims;
  dims[1] = channels;
  const memory::desc md = channel_blocked_desc(dims, static_cast<int>(block));
  Tensor* out = new_tensor(md, dims);
  ChannelLayout o;
  if (!channel_layout(md, dims, &o)) {
    delete out;
    return false;
  }
  float* y = static_cast<float*>(out->mem.get_data_handle());
  // Work items: (sample, output channel block); each writes whole blocks, padding included.
  const int64_t items = o.n * o.blocks;
  std::vector<std::pair<size_t, int64_t>> source(static_cast<size_t>(o.padded()), {parts.size(), 0});
  int64_t c0 = 0;
  for (size_t i = 0; i < parts.size(); i++)
    for (int64_t c = 0; c < layouts[i].channels; c++) source[c0++] = {i, c};
  const bool parallel = o.n * o.padded() * o.spatial >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t item = 0; item < items; item++) {
    const int64_t n = item / o.blocks, cb = item % o.blocks;
    float* dst_block = y + item * o.spatial * o.block;
    for (int64_t b = 0; b < o.block; b++) {
      const auto [part, c] = source[cb * o.block + b];
      if (part == parts.size()) {
        for (int64_t s = 0; s < o.spatial; s++) dst_block[s * o.block + b] = 0.f;
        continue;
      }
      const ChannelLayout& l = layouts[part];
      const float* x = static_cast<const float*>(parts[part]->mem.get_data_handle());
      const int64_t base = l.at(n, c, 0);
      for (int64_t s = 0; s < o.spatial; s++) dst_block[s * o.block + b] = x[base + s * l.block];
    }
  }
  *dst = out;
  return true;
}

}  // namespace mosmos

namespace mosmos {

// Maximum over the spatial axes per (sample, channel) → plain [N, C], from the activation's own
// layout (the encoder's pooled features); oneDNN 2.6's reduction runs a reference loop on blocked
// layouts, and the engine's fallback copied the activation to plain first.
bool spatial_max(const Tensor* src, Tensor** dst) {
  ChannelLayout l;
  if (!channel_layout(src->mem.get_desc(), src->dims, &l) || l.spatial < 1) return false;
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  const Dims d{l.n, l.channels};
  Tensor* out = new_tensor(plain_desc(d), d);
  float* y = static_cast<float*>(out->mem.get_data_handle());
  const int64_t rows = l.n * l.blocks;
  const bool parallel = rows > 1 && rows * l.spatial * l.block >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t row = 0; row < rows; row++) {
    const int64_t n = row / l.blocks, cb = row % l.blocks;
    float m[16];
    for (int64_t b = 0; b < l.block; b++) m[b] = -std::numeric_limits<float>::infinity();
    const float* p = x + row * l.spatial * l.block;
    if (l.block == 1) {
      float v = m[0];
      for (int64_t s = 0; s < l.spatial; s++) v = std::max(v, p[s]);
      m[0] = v;
    } else {
      for (int64_t s = 0; s < l.spatial; s++)
        for (int64_t b = 0; b < l.block; b++) m[b] = std::max(m[b], p[s * l.block + b]);
    }
    for (int64_t b = 0; b < l.block; b++) {
      const int64_t c = cb * l.block + b;
      if (c < l.channels) y[n * l.channels + c] = m[b];
    }
  }
  *dst = out;
  return true;
}

}  // namespace mosmos

namespace mosmos {
Tensor* spatial_max_or_null(const Tensor* src) {
  Tensor* out = nullptr;
  return spatial_max(src, &out) ? out : nullptr;
}
}  // namespace mosmos

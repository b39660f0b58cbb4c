// Instance normalisation (with its affine and an optional leaky ReLU in the same pass) and softmax
// over the channel axis, as direct loops in the activation's own plain or channel-blocked layout.
// Before these, an instance norm reordered a blocked activation to plain, ran oneDNN's layer norm
// on [N·C, S] rows and applied the affine as two broadcast ops; and oneDNN 2.6's softmax backward
// over axis 1 of a 14-class [N, 14, H, W] tensor ran a reference loop (≈ 0.7 s per call for a
// 8×14×96² batch).
//
// The loops run on 8-float vectors and are compiled twice, for the baseline instruction set and
// for AVX2 + FMA, the second chosen at run time on CPUs that have it (on_best_isa). Sums
// accumulate in float vectors within a chunk of positions and in double across chunks.
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "channel_layout.h"

namespace mosmos {

namespace {

// ---- vectors, and loops compiled for the best instruction set ----

// Eight floats (GCC's vector extension): one register where a loop is compiled for
// AVX2, two SSE or NEON registers otherwise. The loops use these rather than scalar code for GCC
// to vectorise, because GCC leaves a scalar loop scalar when a select has arithmetic in an arm
// (v < 0 ? v * slope : v, the clamps in exp): under the default -ftrapping-math it may not compute
// that arm unconditionally. On vectors, ?: is a blend.
typedef float Vec __attribute__((vector_size(32)));
typedef int32_t Mask __attribute__((vector_size(32)));  // lane comparisons: -1 (true) or 0
typedef uint32_t Bits __attribute__((vector_size(32)));
constexpr int kVec = 8;

// Functions taking or returning vectors: always inlined into the loops, so no out-of-line copy
// exists whose vector arguments would pass differently with AVX than without (GCC's -Wpsabi).
#define VECTOR_INLINE inline __attribute__((always_inline))
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

VECTOR_INLINE Vec splat(float v) { return Vec{} + v; }
VECTOR_INLINE Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
VECTOR_INLINE void store(float* p, const Vec& v) { std::memcpy(p, &v, sizeof v); }
// The first `count` floats at p, zeros after; and storing only the first `count` lanes. For the
// final partial vector of a span (count < 8); count is 8 everywhere else.
VECTOR_INLINE Vec load(const float* p, int count) {
  if (count == kVec) return load(p);
  Vec v = {};
  std::memcpy(&v, p, static_cast<size_t>(count) * sizeof(float));
  return v;
}
VECTOR_INLINE void store(float* p, const Vec& v, int count) {
  if (count == kVec) return store(p, v);
  std::memcpy(p, &v, static_cast<size_t>(count) * sizeof(float));
}
// v with the lanes from `count` on set to 0 (a partial vector's filler, kept out of sums).
VECTOR_INLINE Vec first_lanes(const Vec& v, int count) {
  const Mask lane = {0, 1, 2, 3, 4, 5, 6, 7};
  return lane < count ? v : Vec{};
}

#if defined(__x86_64__)
// f() with everything it calls inlined into it (flatten) and compiled for AVX2 + FMA.
template <class F>
__attribute__((target("avx2,fma"), flatten)) void run_avx2(const F& f) {
  f();
}

bool has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

template <class F>
__attribute__((flatten)) void run_baseline(const F& f) {
  f();
}

// Runs f, the loops over one chunk of work, compiled for the best instruction set of this CPU. The
// addon is built for baseline x86-64 so that it loads on any x86-64 CPU; AVX2 doubles the vectors'
// width and adds FMA. Dispatched per chunk, inside the parallel loops, because OpenMP outlines a
// parallel loop's body into a function of its own that would not inherit a target attribute.
template <class F>
void on_best_isa(const F& f) {
#if defined(__x86_64__)
  if (has_avx2_fma()) return run_avx2(f);
#endif
  run_baseline(f);
}

// e^x to ≈ 1e-7 relative error (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2, e^r by a polynomial
// and 2^n built in a float's exponent bits. The clamps to [-87.5, 89] keep that exponent in
// range: results below 2^-125 come out 0 (e^-inf = 0), and beyond e^88.72 the final product
// overflows to inf as std::exp does. NaN passes both clamps and stays NaN.
VECTOR_INLINE Vec exp_approx(const Vec& v) {
  Vec x = v < -87.5f ? splat(-87.5f) : v;
  x = x > 89.f ? splat(89.f) : x;
  // n = round(x / ln2): adding 1.5·2^23 rounds to an integer, which lands in the low mantissa bits.
  const Vec shifted = x * 1.44269504088896341f + 12582912.f;
  const Vec n = shifted - 12582912.f;
  const Bits n_bits = (Bits)shifted - 0x4B400000u;  // n as a (wrapping) integer
  // r = x - n·ln2, with ln2 in two parts so that n·ln2_hi is exact.
  const Vec r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  Vec p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  // 2^n as 2^(n-1)·2, so that n = 128 (x up to 89) still fits the exponent field.
  const Bits scale = (n_bits + 126u) << 23;
  return p * (Vec)scale * 2.f;
}

// The leaky ReLU of v, and its gradient dy; slope 1 is no activation.
VECTOR_INLINE Vec leaky(const Vec& v, float slope) { return v < 0.f ? v * slope : v; }
VECTOR_INLINE Vec leaky_grad(const Vec& v, const Vec& dy, float slope) { return v < 0.f ? dy * slope : dy; }

// ---- spans of a channel block ----

// The loops below walk spans of a row (sample, channel block) of [N][C/B][S][B] (B = 1: plain)
// that start on a block edge, so float i of a span belongs to channel i % B of the block. kLanes
// is a multiple of every block handled here (1, 8, 16): a per-channel value repeated over kLanes
// floats lines up with every kLanes-float piece of a span, its vector g with the piece's vector g.
constexpr int kLanes = 16;
constexpr int kGroups = kLanes / kVec;

// Blocks of 1, 2, 4, 8 or 16 channels: all that oneDNN gives float activations.
bool handled_block(int64_t block) { return kLanes % block == 0; }

struct Lanes {
  Vec group[kGroups];
};

// per_channel[0, block) repeated over kLanes lanes.
inline Lanes lanes(const float* per_channel, int64_t block) {
  float v[kLanes];
  for (int j = 0; j < kLanes; j++) v[j] = per_channel[j % block];
  Lanes out;
  for (int g = 0; g < kGroups; g++) out.group[g] = load(v + g * kVec);
  return out;
}

// Adds kLanes lane sums into per-channel sums out[0, block).
template <class T>
inline void add_lanes(const Vec* sums, int64_t block, T* out) {
  for (int j = 0; j < kLanes; j++) out[j % block] += sums[j / kVec][j % kVec];
}

// Calls f(i, g, count) for the vectors covering floats [0, n) of a span: i its offset, g its vector
// within kLanes, count = 8 but in a final partial vector. Whole kLanes pieces come first with g
// known at compile time, so per-group parameters and sums stay in registers.
template <class F>
inline void for_vectors(int64_t n, F f) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int g = 0; g < kGroups; g++) f(i + g * kVec, g, kVec);
  for (int g = 0; i < n; i += kVec, g++) f(i, g, static_cast<int>(std::min<int64_t>(kVec, n - i)));
}

// ---- instance norm ----

// A for_chunks work item: positions [s0, s1) of a row, as a span of the tensor, and the index of
// the row's first channel in per-instance vectors [N][padded channels].
struct Span {
  int64_t offset, size, first;
};

Span span_of(const ChannelLayout& l, int64_t row, int64_t s0, int64_t s1) {
  return {(row * l.spatial + s0) * l.block, (s1 - s0) * l.block, row / l.blocks * l.padded() + row % l.blocks * l.block};
}

// Adds a span's per-channel sums of x and x² to sum[0, block) and sum_sq[0, block). The float lanes
// sum deviations from the span's mean (found by a first pass over it, still in cache) rather than
// squares, so that the variance, E[x²] - mean², keeps its digits when the mean is large.
inline void add_moments(const float* x, int64_t size, int64_t block, double* sum, double* sum_sq) {
  Vec lane_sum[kGroups] = {};
  for_vectors(size, [&](int64_t i, int g, int count) { lane_sum[g] += load(x + i, count); });
  const double positions = static_cast<double>(size / block);
  double s[kLanes] = {};
  add_lanes(lane_sum, block, s);
  float mean[kLanes];
  for (int64_t b = 0; b < block; b++) mean[b] = static_cast<float>(s[b] / positions);
  const Lanes m = lanes(mean, block);
  Vec dev[kGroups] = {}, dev_sq[kGroups] = {};
  for_vectors(size, [&](int64_t i, int g, int count) {
    Vec d = load(x + i, count) - m.group[g];
    if (count < kVec) d = first_lanes(d, count);
    dev[g] += d;
    dev_sq[g] += d * d;
  });
  double d1[kLanes] = {}, d2[kLanes] = {};
  add_lanes(dev, block, d1);
  add_lanes(dev_sq, block, d2);
  for (int64_t b = 0; b < block; b++) {
    // Σx = positions·mean + Σd; Σx² = Σ(x - x̄)² + (Σx)²/positions, Σ(x - x̄)² = Σd² - (Σd)²/positions.
    const double total = positions * mean[b] + d1[b];
    sum[b] += total;
    sum_sq[b] += d2[b] - d1[b] * d1[b] / positions + total * total / positions;
  }
}

// Sums of `terms` quantities per (sample, channel) over space, in double: f(span, acc, width) adds
// a span's sums for the channels of its block to acc[t·width + span.first + b] (t < terms). Spans
// run in parallel into per-thread accumulators.
template <class F>
std::vector<double> instance_sums(const ChannelLayout& l, int terms, F f) {
  const int threads = omp_get_max_threads();
  const int64_t width = l.n * l.padded();
  std::vector<double> partial(static_cast<size_t>(threads) * terms * width, 0.0);
  for_chunks(l, [&](int thread, int64_t row, int64_t s0, int64_t s1) {
    f(span_of(l, row, s0, s1), partial.data() + static_cast<size_t>(thread) * terms * width, width);
  });
  std::vector<double> total(static_cast<size_t>(terms * width), 0.0);
  for (int t = 0; t < threads; t++)
    for (size_t i = 0; i < total.size(); i++) total[i] += partial[static_cast<size_t>(t) * total.size() + i];
  return total;
}

ChannelLayout layout_of(const Tensor* t, const char* what) {
  ChannelLayout l;
  if (!channel_layout(t->mem.get_desc(), t->dims, &l) || !handled_block(l.block))
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
  const std::vector<double> sums = instance_sums(l, 2, [&](const Span& s, double* acc, int64_t w) {
    on_best_isa([&] { add_moments(x + s.offset, s.size, l.block, acc + s.first, acc + w + s.first); });
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
  const float slope = o.activation ? o.negative_slope : 1.f;
  for_chunks(l, [&](int, int64_t row, int64_t s0, int64_t s1) {
    const Span s = span_of(l, row, s0, s1);
    on_best_isa([&] {
      const Lanes ak = lanes(a.data() + s.first, l.block), bk = lanes(b.data() + s.first, l.block);
      for_vectors(s.size, [&](int64_t i, int g, int count) {
        const Vec v = load(x + s.offset + i, count) * ak.group[g] + bk.group[g];
        store(y + s.offset + i, leaky(v, slope), count);
      });
    });
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
  const memory dy_mem = as_layout(diff_dst, md);
  const float* dy = static_cast<const float*>(dy_mem.get_data_handle());
  const std::vector<float> mean = per_instance(mean_t, l), rstd = per_instance(rstd_t, l);
  const std::vector<float> gamma = per_channel(scale, l, 1.f), beta = per_channel(shift, l, 0.f);
  const int64_t width = l.n * l.padded();
  // The pre-activation y = x a + b (as in the forward pass), recomputed for the leaky ReLU's sign.
  std::vector<float> a(static_cast<size_t>(width), 0.f), b(static_cast<size_t>(width), 0.f);
  for (int64_t n = 0; n < l.n; n++)
    for (int64_t c = 0; c < l.padded(); c++) {
      const int64_t k = n * l.padded() + c;
      a[k] = rstd[k] * gamma[c];
      b[k] = beta[c] - mean[k] * a[k];
    }
  const float slope = o.activation ? o.negative_slope : 1.f;
  // Per instance: A = sum g, B = sum g xhat (g = gradient at the norm's output).
  const std::vector<double> sums = instance_sums(l, 2, [&](const Span& s, double* acc, int64_t w) {
    on_best_isa([&] {
      const int64_t k = s.first;
      const Lanes ak = lanes(a.data() + k, l.block), bk = lanes(b.data() + k, l.block);
      const Lanes mk = lanes(mean.data() + k, l.block), rk = lanes(rstd.data() + k, l.block);
      Vec sum_g[kGroups] = {}, sum_gx[kGroups] = {};
      for_vectors(s.size, [&](int64_t i, int g, int count) {
        const Vec xv = load(x + s.offset + i, count);
        const Vec grad = leaky_grad(xv * ak.group[g] + bk.group[g], load(dy + s.offset + i, count), slope);
        sum_g[g] += grad;
        sum_gx[g] += grad * ((xv - mk.group[g]) * rk.group[g]);
      });
      add_lanes(sum_g, l.block, acc + k);
      add_lanes(sum_gx, l.block, acc + w + k);
    });
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
    const Span s = span_of(l, row, s0, s1);
    on_best_isa([&] {
      const int64_t k = s.first;
      const Lanes ak = lanes(a.data() + k, l.block), bk = lanes(b.data() + k, l.block);
      const Lanes mk = lanes(mean.data() + k, l.block), rk = lanes(rstd.data() + k, l.block);
      const Lanes gak = lanes(ga.data() + k, l.block), mak = lanes(mA.data() + k, l.block),
                  mbk = lanes(mB.data() + k, l.block);
      for_vectors(s.size, [&](int64_t i, int g, int count) {
        const Vec xv = load(x + s.offset + i, count);
        const Vec grad = leaky_grad(xv * ak.group[g] + bk.group[g], load(dy + s.offset + i, count), slope);
        const Vec xhat = (xv - mk.group[g]) * rk.group[g];
        store(dx + s.offset + i, gak.group[g] * (grad - mak.group[g] - xhat * mbk.group[g]), count);
      });
    });
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

// Lane buffers of a softmax work item: one float per (position, lane of a block), 8 KB each.
constexpr int64_t kSoftmaxLanes = 2048;

// A softmax work item: `count` positions from s0 of sample n. Channel block cb's part of it is the
// span of count·block floats at offset(cb); lanes of the last block past the channels are padding.
struct Positions {
  const ChannelLayout& l;
  int64_t n, s0, count;
  int64_t offset(int64_t cb) const { return ((n * l.blocks + cb) * l.spatial + s0) * l.block; }
  int64_t size() const { return count * l.block; }
  // Which lanes of block cb hold channels, repeated over kLanes.
  Mask keep(int64_t cb, int g) const {
    const int64_t valid = cb + 1 < l.blocks ? l.block : l.channels - cb * l.block;
    Mask m;
    for (int j = 0; j < kVec; j++) m[j] = (g * kVec + j) % l.block < valid ? -1 : 0;
    return m;
  }
};

// Calls fn(positions) for work items covering every sample, in parallel.
template <class F>
void for_positions(const ChannelLayout& l, F fn) {
  const int64_t per_item = kSoftmaxLanes / l.block;
  const int64_t chunks = (l.spatial + per_item - 1) / per_item;
  const int64_t items = l.n * chunks;
  const bool parallel = items > 1 && l.n * l.padded() * l.spatial >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t item = 0; item < items; item++) {
    const int64_t s0 = (item % chunks) * per_item;
    fn(Positions{l, item / chunks, s0, std::min(l.spatial - s0, per_item)});
  }
}

const auto max_op = [](const Vec& a, const Vec& b) -> Vec { return a > b ? a : b; };
const auto sum_op = [](const Vec& a, const Vec& b) -> Vec { return a + b; };

// Combines each position's block lanes of a lane buffer with op into its first lane, then writes
// finish(position, result) to all of them. The combining passes pair lane j with lane j + h for
// h = block/2, ..., 1 across the whole buffer as vectors; lanes past the pairs read the next
// position's lanes (or the buffer's kLanes of slack) and go unused.
template <class Op, class Finish>
inline void across_lanes(float* t, const Positions& p, Op op, Finish finish) {
  const int64_t block = p.l.block;
  for (int64_t h = block / 2; h >= 1; h /= 2)
    for_vectors(p.size(), [&](int64_t i, int, int count) {
      store(t + i, op(load(t + i, count), load(t + i + h, count)), count);
    });
  const int width = static_cast<int>(std::min<int64_t>(kVec, block));
  for (int64_t s = 0; s < p.count; s++) {
    const Vec v = splat(finish(s, t[s * block]));
    for (int64_t b = 0; b < block; b += kVec) store(t + s * block + b, v, width);
  }
}

// Softmax (or log-softmax) over the channels of a work item's positions: the channel maximum, then
// e^(x - max) and its sum, then y = e / sum (log: y = x - max - log sum). Padding lanes get 0.
inline void softmax_positions(const float* x, float* y, const Positions& p, bool log) {
  float shift[kSoftmaxLanes + kLanes], total[kSoftmaxLanes + kLanes];
  const int64_t size = p.size();
  const Vec minus_inf = splat(-std::numeric_limits<float>::infinity());
  for_vectors(size + kLanes, [&](int64_t i, int, int count) { store(shift + i, minus_inf, count); });
  for (int64_t cb = 0; cb < p.l.blocks; cb++) {
    const float* xb = x + p.offset(cb);
    const Mask keep[kGroups] = {p.keep(cb, 0), p.keep(cb, 1)};
    for_vectors(size, [&](int64_t i, int g, int count) {
      const Vec v = keep[g] ? load(xb + i, count) : minus_inf;
      store(shift + i, max_op(v, load(shift + i, count)), count);
    });
  }
  across_lanes(shift, p, max_op, [](int64_t, float v) { return v; });
  for_vectors(size + kLanes, [&](int64_t i, int, int count) { store(total + i, Vec{}, count); });
  for (int64_t cb = 0; cb < p.l.blocks; cb++) {
    const float* xb = x + p.offset(cb);
    float* yb = y + p.offset(cb);
    const Mask keep[kGroups] = {p.keep(cb, 0), p.keep(cb, 1)};
    for_vectors(size, [&](int64_t i, int g, int count) {
      const Vec e = exp_approx(load(xb + i, count) - load(shift + i, count));
      if (!log) store(yb + i, e, count);
      store(total + i, load(total + i, count) + (keep[g] ? e : Vec{}), count);
    });
  }
  // total becomes 1 / sum (log: max + log sum), per lane.
  const int64_t block = p.l.block;
  across_lanes(total, p, sum_op, [&](int64_t s, float sum) {
    return log ? shift[s * block] + std::log(sum) : 1.f / sum;
  });
  for (int64_t cb = 0; cb < p.l.blocks; cb++) {
    const float* xb = x + p.offset(cb);
    float* yb = y + p.offset(cb);
    const Mask keep[kGroups] = {p.keep(cb, 0), p.keep(cb, 1)};
    for_vectors(size, [&](int64_t i, int g, int count) {
      const Vec t = load(total + i, count);
      const Vec v = log ? load(xb + i, count) - t : load(yb + i, count) * t;
      store(yb + i, keep[g] ? v : Vec{}, count);
    });
  }
}

// The softmax gradient over a work item's positions: dx = y (dy - sum dy y); log-softmax:
// dx = dy - e^y sum dy. Padding lanes get 0.
inline void softmax_backward_positions(const float* dy, const float* y, float* dx, const Positions& p, bool log) {
  float total[kSoftmaxLanes + kLanes];
  const int64_t size = p.size();
  for_vectors(size + kLanes, [&](int64_t i, int, int count) { store(total + i, Vec{}, count); });
  for (int64_t cb = 0; cb < p.l.blocks; cb++) {
    const float* dyb = dy + p.offset(cb);
    const float* yb = y + p.offset(cb);
    const Mask keep[kGroups] = {p.keep(cb, 0), p.keep(cb, 1)};
    for_vectors(size, [&](int64_t i, int g, int count) {
      const Vec d = load(dyb + i, count);
      const Vec term = log ? d : d * load(yb + i, count);
      store(total + i, load(total + i, count) + (keep[g] ? term : Vec{}), count);
    });
  }
  across_lanes(total, p, sum_op, [](int64_t, float v) { return v; });
  for (int64_t cb = 0; cb < p.l.blocks; cb++) {
    const float* dyb = dy + p.offset(cb);
    const float* yb = y + p.offset(cb);
    float* dxb = dx + p.offset(cb);
    const Mask keep[kGroups] = {p.keep(cb, 0), p.keep(cb, 1)};
    for_vectors(size, [&](int64_t i, int g, int count) {
      const Vec d = load(dyb + i, count), yv = load(yb + i, count), t = load(total + i, count);
      const Vec v = log ? d - exp_approx(yv) * t : yv * (d - t);
      store(dxb + i, keep[g] ? v : Vec{}, count);
    });
  }
}

}  // namespace

bool channel_softmax_forward(const Tensor* src, bool log, Tensor** dst) {
  ChannelLayout l;
  if (!channel_layout(src->mem.get_desc(), src->dims, &l) || !handled_block(l.block) || l.spatial < 1) return false;
  const float* x = static_cast<const float*>(src->mem.get_data_handle());
  Tensor* out = new_tensor(src->mem.get_desc(), src->dims);
  float* y = static_cast<float*>(out->mem.get_data_handle());
  for_positions(l, [&](const Positions& p) { on_best_isa([&] { softmax_positions(x, y, p, log); }); });
  *dst = out;
  return true;
}

bool channel_softmax_backward(const Tensor* diff_dst, const Tensor* dst, bool log, Tensor** diff_src) {
  ChannelLayout l;
  const memory::desc md = dst->mem.get_desc();
  if (!channel_layout(md, dst->dims, &l) || !handled_block(l.block) || l.spatial < 1) return false;
  const float* y = static_cast<const float*>(dst->mem.get_data_handle());
  const memory dy_mem = as_layout(diff_dst, md);
  const float* dy = static_cast<const float*>(dy_mem.get_data_handle());
  Tensor* out = new_tensor(md, dst->dims);
  float* dx = static_cast<float*>(out->mem.get_data_handle());
  for_positions(l, [&](const Positions& p) { on_best_isa([&] { softmax_backward_positions(dy, y, dx, p, log); }); });
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

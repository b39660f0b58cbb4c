/**
 * Pixel-tag attention maps (DESIGN.md §1): A_k(p) = softmax over tags k of cos(q_k, F(p) − F̄) / τ,
 * one map per tag and encoder stage at that stage's resolution, F̄ being the image's mean feature
 * (see tagSimilarity). Fine-tuning concatenates them to the decoder; the viewer and
 * `mosmos pretrain --export-attention` show them; `tagPresence` is what pre-training supervises.
 */
import {
  avgPool2d,
  avgPool3d,
  clamp,
  conv2d,
  conv3d,
  div,
  matmul,
  max,
  mean,
  mul,
  ones,
  permute,
  reshape,
  softmax,
  sqrt,
  sub,
  sum,
  type Tensor,
} from '../engine/index.js';

/** x / ‖x‖ along the last axis (‖x‖ floored at 1e-6 so an all-zero vector stays finite). */
export function l2Normalize(x: Tensor): Tensor {
  return div(x, clamp(sqrt(sum(mul(x, x), -1, true)), 1e-6));
}

/**
 * Cosine similarity of every pixel/voxel feature (minus the image's mean feature) with every tag
 * query, divided by τ: features [N, C, ...spatial], queries [K, C] → [N, K, P], P = the pixel count.
 * Without the centring, all pixels of an image share one dominant direction and every map is flat.
 */
export function tagSimilarity(features: Tensor, tagQueries: Tensor, tau: number): Tensor {
  const [n, c] = features.shape as [number, number];
  const flat = reshape(features, [n, c, -1]);
  // Centred on the image's mean feature: what a pixel adds to the image, so the cosine says *where*
  // a tag's evidence is rather than repeating the direction every pixel of the image shares.
  const pixels = permute(sub(flat, mean(flat, 2, true)), [0, 2, 1]); // [N, P, C]
  const sim = matmul(l2Normalize(tagQueries), l2Normalize(pixels), { transposeB: true }); // [N, K, P]
  return mul(sim, 1 / tau);
}

/**
 * The maps: features [N, C, H, W] or [N, C, D, H, W], tag queries [K, C] (same space) →
 * [N, K, H, W] or [N, K, D, H, W], summing to 1 over K at every pixel.
 * The same cosine as tagSimilarity, computed in the features' own layout: the unit queries are a
 * 1×1 convolution's weights and each pixel's norm divides the K similarities afterwards, so no
 * [N, P, C] transpose of the features is made and the maps leave channel-blocked, as the decoder's
 * concatenation takes them (a third of the maps' cost in a 192×160 inference window).
 * @example pixelTagAttention(encoderFeatures, queries, 0.1)
 */
export function pixelTagAttention(features: Tensor, tagQueries: Tensor, tau = 0.1): Tensor {
  const [n, , ...spatial] = features.shape as number[];
  const [k, c] = tagQueries.shape as [number, number];
  const unit = spatial.map(() => 1);
  const conv = spatial.length === 2 ? conv2d : conv3d;
  // The image's mean feature as a whole-image average pool, and each pixel's squared norm as a 1×1
  // convolution with ones: oneDNN runs both in the blocked layout (its reductions do not).
  const pooled = spatial.length === 2 ? avgPool2d(features, spatial) : avgPool3d(features, spatial); // [N, C, 1…]
  const centred = sub(features, pooled); // [N, C, ...s]
  const norm = clamp(sqrt(conv(mul(centred, centred), ones([1, c, ...unit]))), 1e-6); // [N, 1, ...s]
  const dot = conv(centred, reshape(l2Normalize(tagQueries), [k, c, ...unit])); // [N, K, ...s]
  // On [N, K, P] and [N, 1, P]: oneDNN divides a channel-blocked tensor by a per-pixel [N, 1, H, W]
  // only in a reference loop (≈ 50× slower than this reshape to plain rows and back).
  const scaled = div(reshape(dot, [n!, k, -1]), reshape(mul(norm, tau), [n!, 1, -1]));
  return softmax(reshape(scaled, [n!, k, ...spatial]), 1);
}

/**
 * How strongly each tag claims some pixel: max over pixels of A_k(p), [N, K] in (0, 1). Pre-training
 * pushes it to 1 for tags a report says are present and to 0 for absent ones (multiple-instance
 * learning on the maps themselves): an absent organ's map must be low everywhere, so a present
 * organ's map can only be high where something that comes and goes with the organ is.
 */
export function tagPresence(features: Tensor, tagQueries: Tensor, tau = 0.1): Tensor {
  return max(softmax(tagSimilarity(features, tagQueries, tau), 1), 2);
}

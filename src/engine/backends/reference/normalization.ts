import { registerKernel } from '../../kernel-registry.js';
import { values } from './storage.js';

/**
 * Normalisation kernels (batch norm optionally with its per-channel affine; the other norms'
 * affine is applied by the ops). Statistics are accumulated
 * in float64 with two passes, so large planes do not lose precision.
 */

/** x [N, C, ...] as N × C blocks of `block` contiguous values. */
function channelBlocks(shape: readonly number[]): { channels: number; batch: number; block: number } {
  const block = shape.slice(2).reduce((p, d) => p * d, 1);
  return { channels: shape[1]!, batch: shape[0]!, block };
}

registerKernel('reference', 'BatchNorm', (inputs, { epsilon, affine }) => {
  const ix = inputs[0]!;
  const x = values(ix);
  const { channels, batch, block } = channelBlocks(ix.shape);
  const count = batch * block;
  const given = inputs.length === (affine ? 5 : 3);
  const mean = given ? Float32Array.from(values(inputs[1]!)) : new Float32Array(channels);
  const variance = given ? Float32Array.from(values(inputs[2]!)) : new Float32Array(channels);
  const weight = affine ? values(inputs[inputs.length - 2]!) : null;
  const bias = affine ? values(inputs[inputs.length - 1]!) : null;
  const y = new Float32Array(x.length);
  for (let c = 0; c < channels; c++) {
    if (!given) {
      let s = 0;
      for (let n = 0; n < batch; n++) {
        const o = (n * channels + c) * block;
        for (let i = 0; i < block; i++) s += x[o + i]!;
      }
      const m = s / count;
      let v = 0;
      for (let n = 0; n < batch; n++) {
        const o = (n * channels + c) * block;
        for (let i = 0; i < block; i++) v += (x[o + i]! - m) ** 2;
      }
      mean[c] = m;
      variance[c] = v / count;
    }
    const m = mean[c]!;
    const rstd = 1 / Math.sqrt(variance[c]! + epsilon);
    const w = weight ? weight[c]! : 1;
    const b = bias ? bias[c]! : 0;
    for (let n = 0; n < batch; n++) {
      const o = (n * channels + c) * block;
      // Rounded like x̂ stored, times weight stored, plus bias: the same values as separate kernels.
      if (weight)
        for (let i = 0; i < block; i++) y[o + i] = Math.fround(Math.fround((x[o + i]! - m) * rstd) * w) + b;
      else for (let i = 0; i < block; i++) y[o + i] = (x[o + i]! - m) * rstd;
    }
  }
  return [
    { shape: ix.shape, storage: y },
    { shape: [channels], storage: mean },
    { shape: [channels], storage: variance },
  ];
});

// dx = rstd (g - mean(g) - x̂ mean(g x̂)) with g = dy weight, the means over each normalised group;
// with affine also dweight = Σ dy x̂ and dbias = Σ dy.
registerKernel('reference', 'BatchNormGrad', (inputs, { epsilon, affine }) => {
  const [idy, ix, imean, ivar, iweight] = inputs;
  const dyIn = values(idy!);
  const x = values(ix!);
  const mean = values(imean!);
  const variance = values(ivar!);
  const weight = affine ? values(iweight!) : null;
  const { channels, batch, block } = channelBlocks(ix!.shape);
  const count = batch * block;
  const dx = new Float32Array(x.length);
  const dweight = new Float32Array(channels);
  const dbias = new Float32Array(channels);
  // The gradient reaching x̂: dy scaled by the weight (rounded as a separate Mul would store it).
  let dy = dyIn;
  if (weight) {
    dy = new Float32Array(dyIn.length);
    for (let n = 0; n < batch; n++)
      for (let c = 0; c < channels; c++) {
        const o = (n * channels + c) * block;
        for (let i = 0; i < block; i++) dy[o + i] = dyIn[o + i]! * weight[c]!;
      }
  }
  for (let c = 0; c < channels; c++) {
    const m = mean[c]!;
    const rstd = 1 / Math.sqrt(variance[c]! + epsilon);
    let sumDy = 0;
    let sumDyXhat = 0;
    let sumDyIn = 0;
    let sumDyInXhat = 0;
    for (let n = 0; n < batch; n++) {
      const o = (n * channels + c) * block;
      for (let i = 0; i < block; i++) {
        const xhat = (x[o + i]! - m) * rstd;
        sumDy += dy[o + i]!;
        sumDyXhat += dy[o + i]! * xhat;
        sumDyIn += dyIn[o + i]!;
        sumDyInXhat += dyIn[o + i]! * Math.fround(xhat);
      }
    }
    dweight[c] = sumDyInXhat;
    dbias[c] = sumDyIn;
    const a = sumDy / count;
    const b = sumDyXhat / count;
    for (let n = 0; n < batch; n++) {
      const o = (n * channels + c) * block;
      for (let i = 0; i < block; i++) dx[o + i] = rstd * (dy[o + i]! - a - (x[o + i]! - m) * rstd * b);
    }
  }
  const dxInfo = { shape: ix!.shape, storage: dx };
  if (!affine) return dxInfo;
  return [dxInfo, { shape: [channels], storage: dweight }, { shape: [channels], storage: dbias }];
});

registerKernel('reference', 'LayerNorm', ([ix], { epsilon }) => {
  const x = values(ix!);
  const cols = ix!.shape[ix!.shape.length - 1]!;
  const rows = x.length / cols;
  const y = new Float32Array(x.length);
  const mean = new Float32Array(rows);
  const variance = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let i = 0; i < cols; i++) s += x[o + i]!;
    const m = s / cols;
    let v = 0;
    for (let i = 0; i < cols; i++) v += (x[o + i]! - m) ** 2;
    v /= cols;
    mean[r] = m;
    variance[r] = v;
    const rstd = 1 / Math.sqrt(v + epsilon);
    for (let i = 0; i < cols; i++) y[o + i] = (x[o + i]! - m) * rstd;
  }
  const rowShape = ix!.shape.slice(0, -1);
  return [
    { shape: ix!.shape, storage: y },
    { shape: rowShape, storage: mean },
    { shape: rowShape, storage: variance },
  ];
});

registerKernel('reference', 'LayerNormGrad', ([idy, ix, imean, ivar], { epsilon }) => {
  const dy = values(idy!);
  const x = values(ix!);
  const mean = values(imean!);
  const variance = values(ivar!);
  const cols = ix!.shape[ix!.shape.length - 1]!;
  const rows = x.length / cols;
  const dx = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = mean[r]!;
    const rstd = 1 / Math.sqrt(variance[r]! + epsilon);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let i = 0; i < cols; i++) {
      sumDy += dy[o + i]!;
      sumDyXhat += dy[o + i]! * (x[o + i]! - m) * rstd;
    }
    const a = sumDy / cols;
    const b = sumDyXhat / cols;
    for (let i = 0; i < cols; i++) dx[o + i] = rstd * (dy[o + i]! - a - (x[o + i]! - m) * rstd * b);
  }
  return { shape: ix!.shape, storage: dx };
});

/** Per (sample, channel) mean and 1/√(var + ε) of x [N, C, ...], two passes in float64. */
function instanceStatistics(x: Float32Array, rows: number, block: number, epsilon: number) {
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < block; i++) s += x[r * block + i]!;
    const m = s / block;
    let v = 0;
    for (let i = 0; i < block; i++) v += (x[r * block + i]! - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(v / block + epsilon);
  }
  return { mean, rstd };
}

registerKernel('reference', 'InstanceNorm', (inputs, { epsilon, affine, negativeSlope }) => {
  const ix = inputs[0]!;
  const x = values(ix);
  const { channels, batch, block } = channelBlocks(ix.shape);
  const weight = affine ? values(inputs[1]!) : null;
  const bias = affine ? values(inputs[2]!) : null;
  const { mean, rstd } = instanceStatistics(x, batch * channels, block, epsilon);
  const y = new Float32Array(x.length);
  for (let r = 0; r < batch * channels; r++) {
    const c = r % channels;
    const a = rstd[r]! * (weight ? weight[c]! : 1);
    const b = (bias ? bias[c]! : 0) - mean[r]! * a;
    for (let i = r * block; i < (r + 1) * block; i++) {
      const v = x[i]! * a + b;
      y[i] = negativeSlope !== null && v < 0 ? v * negativeSlope : v;
    }
  }
  return [
    { shape: ix.shape, storage: y },
    { shape: [batch, channels], storage: mean },
    { shape: [batch, channels], storage: rstd },
  ];
});

registerKernel('reference', 'InstanceNormGrad', (inputs, { affine, negativeSlope }) => {
  const [idy, ix, imean, irstd] = inputs as [
    (typeof inputs)[0],
    (typeof inputs)[0],
    (typeof inputs)[0],
    (typeof inputs)[0],
  ];
  const dy = values(idy);
  const x = values(ix);
  const mean = values(imean);
  const rstd = values(irstd);
  const { channels, batch, block } = channelBlocks(ix.shape);
  const weight = affine ? values(inputs[4]!) : null;
  const bias = affine ? values(inputs[5]!) : null;
  const dx = new Float32Array(x.length);
  const dweight = new Float32Array(channels);
  const dbias = new Float32Array(channels);
  const g = new Float64Array(block);
  for (let r = 0; r < batch * channels; r++) {
    const c = r % channels;
    const w = weight ? weight[c]! : 1;
    const shift = bias ? bias[c]! : 0;
    let sumG = 0;
    let sumGx = 0;
    for (let i = 0; i < block; i++) {
      const xhat = (x[r * block + i]! - mean[r]!) * rstd[r]!;
      // The activation's gradient needs the sign of the norm's output, recomputed here.
      const pre = xhat * w + shift;
      g[i] = negativeSlope !== null && pre < 0 ? dy[r * block + i]! * negativeSlope : dy[r * block + i]!;
      sumG += g[i]!;
      sumGx += g[i]! * xhat;
    }
    dweight[c]! += sumGx;
    dbias[c]! += sumG;
    for (let i = 0; i < block; i++) {
      const xhat = (x[r * block + i]! - mean[r]!) * rstd[r]!;
      dx[r * block + i] = w * rstd[r]! * (g[i]! - sumG / block - (xhat * sumGx) / block);
    }
  }
  const out = { shape: ix.shape, storage: dx };
  if (!affine) return out;
  return [out, { shape: [channels], storage: dweight }, { shape: [channels], storage: dbias }];
});

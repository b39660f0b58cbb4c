// The U-Net that bench/engine.ts trains, written with the engine's ops, layer for layer the same
// as bench/engine_torch.py's: per level two (conv 3×3 → batch norm → ReLU), max-pool 2 down,
// transposed conv 2×2 stride 2 up, concat skip, 1×1 head; convolutions followed by batch norm
// have no bias (the norm's shift replaces it).
import {
  batchNorm,
  concat,
  conv2d,
  conv3d,
  convTranspose2d,
  convTranspose3d,
  logSoftmax,
  maxPool2d,
  maxPool3d,
  mul,
  type Parameter,
  parameter,
  randn,
  relu,
  scaleShift,
  sum,
  type Tensor,
} from '../src/engine/index.js';

interface NormParams {
  weight: Parameter;
  bias: Parameter;
  runningMean: Parameter;
  runningVar: Parameter;
}

interface Block {
  conv1: Parameter;
  norm1: NormParams;
  conv2: Parameter;
  norm2: NormParams;
}

export interface UNet {
  dims: 2 | 3;
  down: Block[];
  up: { weight: Parameter; bias: Parameter }[];
  upBlocks: Block[];
  head: { weight: Parameter; bias: Parameter };
  parameters: Parameter[];
}

/** He-normal weights for a ReLU network (fan-in = in-channels × kernel volume). */
function convWeight(shape: number[], fanIn: number): Parameter {
  const w = randn(shape, { std: Math.sqrt(2 / fanIn) });
  const p = parameter(w);
  w.dispose();
  return p;
}

function norm(c: number): NormParams {
  return {
    weight: parameter(new Float32Array(c).fill(1), [c]),
    bias: parameter(new Float32Array(c), [c]),
    // Running statistics are state updated in place, not trained.
    runningMean: parameterFree(new Float32Array(c), [c]),
    runningVar: parameterFree(new Float32Array(c).fill(1), [c]),
  };
}

function block(dims: 2 | 3, cin: number, cout: number): Block {
  const k = new Array<number>(dims).fill(3);
  const volume = 3 ** dims;
  return {
    conv1: convWeight([cout, cin, ...k], cin * volume),
    norm1: norm(cout),
    conv2: convWeight([cout, cout, ...k], cout * volume),
    norm2: norm(cout),
  };
}

export function createUNet(dims: 2 | 3, channels: number[], inChannels: number, classes: number): UNet {
  const down: Block[] = [];
  let cin = inChannels;
  for (const c of channels) {
    down.push(block(dims, cin, c));
    cin = c;
  }
  const up: UNet['up'] = [];
  const upBlocks: Block[] = [];
  for (const c of channels.slice(0, -1).reverse()) {
    up.push({
      weight: convWeight([cin, c, ...new Array<number>(dims).fill(2)], c * 2 ** dims),
      bias: parameter(new Float32Array(c), [c]),
    });
    upBlocks.push(block(dims, 2 * c, c));
    cin = c;
  }
  const head = {
    weight: convWeight([classes, cin, ...new Array<number>(dims).fill(1)], cin),
    bias: parameter(new Float32Array(classes), [classes]),
  };
  const blockParams = (b: Block) => [
    b.conv1,
    b.norm1.weight,
    b.norm1.bias,
    b.conv2,
    b.norm2.weight,
    b.norm2.bias,
  ];
  const parameters = [
    ...down.flatMap(blockParams),
    ...up.flatMap((u) => [u.weight, u.bias]),
    ...upBlocks.flatMap(blockParams),
    head.weight,
    head.bias,
  ];
  return { dims, down, up, upBlocks, head, parameters };
}

function runBlock(net: UNet, b: Block, x: Tensor, training: boolean): Tensor {
  const conv = net.dims === 2 ? conv2d : conv3d;
  const bn = (t: Tensor, n: NormParams) => batchNorm(t, { ...n, training });
  const h = relu(bn(conv(x, b.conv1, null, { padding: 1 }), b.norm1));
  return relu(bn(conv(h, b.conv2, null, { padding: 1 }), b.norm2));
}

/** Logits [N, classes, ...spatial]. */
export function forwardUNet(net: UNet, x: Tensor, training: boolean): Tensor {
  const pool = net.dims === 2 ? maxPool2d : maxPool3d;
  const convT = net.dims === 2 ? convTranspose2d : convTranspose3d;
  const skips: Tensor[] = [];
  let h = x;
  net.down.forEach((b, i) => {
    h = runBlock(net, b, h, training);
    if (i < net.down.length - 1) {
      skips.push(h);
      h = pool(h, 2);
    }
  });
  net.up.forEach((u, i) => {
    const upsampled = convT(h, u.weight, u.bias, { stride: 2 });
    h = runBlock(net, net.upBlocks[i]!, concat([skips.pop()!, upsampled], 1), training);
  });
  return (net.dims === 2 ? conv2d : conv3d)(h, net.head.weight, net.head.bias);
}

/** Mean cross-entropy of logits [N, K, ...] against one-hot targets of the same shape. */
export function crossEntropy(logits: Tensor, oneHot: Tensor): Tensor {
  const pixels = logits.size / logits.shape[1]!;
  return scaleShift(sum(mul(logSoftmax(logits, 1), oneHot)), -1 / pixels);
}

/** Random class labels as a one-hot tensor [N, K, ...spatial]. */
export function randomOneHot(shape: number[], seedValue: number): Tensor {
  const [n, k] = [shape[0]!, shape[1]!];
  const inner = shape.slice(2).reduce((p, d) => p * d, 1);
  const values = new Float32Array(n * k * inner);
  let state = seedValue >>> 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < inner; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      values[(b * k + (state % k)) * inner + i] = 1;
    }
  return parameterFree(values, shape);
}

function parameterFree(values: Float32Array, shape: number[]): Parameter {
  const p = parameter(values, shape);
  p.requiresGrad = false;
  return p;
}

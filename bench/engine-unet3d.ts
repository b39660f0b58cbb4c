// A 3D residual U-Net in the style of nnU-Net's 3d_fullres (the bench's stand-in until
// nn/unet3d.ts lands): a stem convolution, residual stages (two 3×3×3 convolutions with instance
// norm and leaky ReLU, stride-2 first convolution from the second stage on, 1×1×1 projected
// shortcut), a mirrored decoder (2× transposed convolution, concatenated skip, residual block) and
// deep supervision: a 1×1×1 head at every decoder resolution, losses weighted 1, ½, ¼ … (normalised)
// against nearest-neighbour down-sampled labels. engine_torch.py builds the same network.
import { add, concat, leakyRelu, scaleShift, type Tensor } from '../src/engine/index.js';
import { Conv, ConvTranspose } from '../src/nn/layers/conv.js';
import { InstanceNorm } from '../src/nn/layers/norm.js';
import { diceCeLoss } from '../src/train/segmentation-losses.js';

class ResidualBlock3d {
  readonly conv1: Conv;
  readonly norm1: InstanceNorm;
  readonly conv2: Conv;
  readonly norm2: InstanceNorm;
  readonly shortcut: Conv | null;
  readonly shortcutNorm: InstanceNorm | null;

  constructor(inChannels: number, outChannels: number, stride: number) {
    this.conv1 = new Conv(3, inChannels, outChannels, 3, { stride, bias: false });
    this.norm1 = new InstanceNorm(outChannels);
    this.conv2 = new Conv(3, outChannels, outChannels, 3, { bias: false });
    this.norm2 = new InstanceNorm(outChannels);
    const reshaped = stride !== 1 || inChannels !== outChannels;
    this.shortcut = reshaped
      ? new Conv(3, inChannels, outChannels, 1, { stride, padding: 0, bias: false })
      : null;
    this.shortcutNorm = reshaped ? new InstanceNorm(outChannels) : null;
  }

  forward(x: Tensor): Tensor {
    const h = leakyRelu(this.norm1.forward(this.conv1.forward(x)));
    const y = this.norm2.forward(this.conv2.forward(h));
    const identity =
      this.shortcut && this.shortcutNorm ? this.shortcutNorm.forward(this.shortcut.forward(x)) : x;
    return leakyRelu(add(y, identity));
  }
}

export class ResidualUNet3d {
  readonly stem: Conv;
  readonly stemNorm: InstanceNorm;
  readonly stages: ResidualBlock3d[];
  readonly ups: ConvTranspose[];
  readonly decoder: ResidualBlock3d[];
  /** One per decoder stage, coarsest first; the last is the full-resolution head. */
  readonly heads: Conv[];

  constructor(inChannels: number, widths: number[], classes: number) {
    this.stem = new Conv(3, inChannels, widths[0]!, 3, { bias: false });
    this.stemNorm = new InstanceNorm(widths[0]!);
    this.stages = widths.map(
      (w, i) => new ResidualBlock3d(i === 0 ? widths[0]! : widths[i - 1]!, w, i === 0 ? 1 : 2),
    );
    this.ups = [];
    this.decoder = [];
    this.heads = [];
    for (let i = widths.length - 2; i >= 0; i--) {
      this.ups.push(new ConvTranspose(3, widths[i + 1]!, widths[i]!, 2));
      this.decoder.push(new ResidualBlock3d(2 * widths[i]!, widths[i]!, 1));
      this.heads.push(new Conv(3, widths[i]!, classes, 1, { padding: 0 }));
    }
  }

  /** Logits at every decoder resolution, full resolution first. */
  forward(x: Tensor): Tensor[] {
    let y = leakyRelu(this.stemNorm.forward(this.stem.forward(x)));
    const skips: Tensor[] = [];
    for (const stage of this.stages) {
      y = stage.forward(y);
      skips.push(y);
    }
    const outputs: Tensor[] = [];
    this.decoder.forEach((block, i) => {
      y = block.forward(concat([this.ups[i]!.forward(y), skips[skips.length - 2 - i]!], 1));
      outputs.unshift(this.heads[i]!.forward(y));
    });
    return outputs;
  }
}

/** Labels [N, D, H, W] (x fastest) down-sampled by `factor` with nearest neighbour (every factor-th voxel). */
export function downsampleLabels(
  labels: ArrayLike<number>,
  batch: number,
  size: readonly number[],
  factor: number,
): Int32Array {
  const [d, h, w] = size as [number, number, number];
  const [od, oh, ow] = [d / factor, h / factor, w / factor];
  const out = new Int32Array(batch * od * oh * ow);
  let i = 0;
  for (let n = 0; n < batch; n++)
    for (let z = 0; z < od; z++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++)
          out[i++] = labels[((n * d + z * factor) * h + y * factor) * w + x * factor]!;
  return out;
}

/** nnU-Net's deep-supervision loss: Dice + CE per resolution, weights 1, ½, ¼, … normalised to sum 1. */
export function unet3dDeepSupervisionLoss(
  outputs: Tensor[],
  labels: ArrayLike<number>,
  size: readonly number[],
): Tensor {
  const batch = outputs[0]!.shape[0]!;
  const weights = outputs.map((_, i) => 1 / 2 ** i);
  const total = weights.reduce((a, b) => a + b, 0);
  let loss: Tensor | null = null;
  outputs.forEach((logits, i) => {
    const target = i === 0 ? labels : downsampleLabels(labels, batch, size, 2 ** i);
    const term = scaleShift(diceCeLoss(logits, target).loss, weights[i]! / total, 0);
    loss = loss === null ? term : add(loss, term);
  });
  return loss!;
}

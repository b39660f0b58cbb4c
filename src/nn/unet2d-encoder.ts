/**
 * The 2D image encoder E of MOSMOS: a residual U-Net encoder over axial slices. Each stage is a
 * residual block (two 3×3 convolutions with instance norm and leaky ReLU, as nnU-Net's residual
 * encoder); stages after the first halve the resolution with a stride-2 convolution. The feature map
 * of every stage is returned as a skip for the fine-tuning decoder; the last one is the deepest map F.
 */
import { concat, leakyRelu, max, mean, type Tensor } from '../engine/index.js';
import { Conv } from './layers/conv.js';
import { InstanceNorm } from './layers/norm.js';
import { UnetResBlock } from './layers/unet-res-block.js';

export interface UNet2dEncoderConfig {
  /** Input channels (1 for CT, one per modality for MRI). */
  inChannels: number;
  /** Channels per stage; the number of stages is the depth. */
  widths: number[];
}

/** Named sizes: `small` trains on 2 CPU cores; `paper` is the usual 5-stage U-Net. */
export const unet2dPresets = {
  tiny: [8, 16, 32],
  small: [16, 32, 64, 128],
  paper: [32, 64, 128, 256, 512],
} as const satisfies Record<string, readonly number[]>;

export type UNet2dPreset = keyof typeof unet2dPresets;

export interface UNet2dEncoderOutput {
  /** Feature maps of every stage, full resolution first: [N, widths[i], H/2^i, W/2^i]. */
  skips: Tensor[];
  /** The deepest map (= skips[last]), the encoder's pixel features F. */
  deepest: Tensor;
  /**
   * Mean and maximum over the deepest map's pixels, concatenated: [N, 2·widths[last]] (projected later
   * to the global embedding g). Instance norm leaves every channel with zero mean before the last
   * activation, so a mean alone hardly varies between images; the maximum keeps what is there.
   */
  pooled: Tensor;
}

export class UNet2dEncoder {
  readonly stem: Conv;
  readonly stemNorm: InstanceNorm;
  readonly stages: UnetResBlock[];

  constructor(readonly config: UNet2dEncoderConfig) {
    const { inChannels, widths } = config;
    if (widths.length < 1) throw new Error('the U-Net encoder needs at least one stage');
    this.stem = new Conv(2, inChannels, widths[0]!, 3, { bias: false });
    this.stemNorm = new InstanceNorm(widths[0]!);
    this.stages = widths.map(
      (w, i) => new UnetResBlock(2, i === 0 ? widths[0]! : widths[i - 1]!, w, i === 0 ? 1 : 2),
    );
  }

  /** Channels of the deepest map. */
  get outChannels(): number {
    return this.config.widths[this.config.widths.length - 1]!;
  }

  /** Width of `pooled` (mean and max). */
  get pooledChannels(): number {
    return 2 * this.outChannels;
  }

  /** Total down-sampling factor from input to the deepest map. */
  get reduction(): number {
    return 2 ** (this.config.widths.length - 1);
  }

  /** x [N, inChannels, H, W] with H and W divisible by `reduction`. */
  forward(x: Tensor): UNet2dEncoderOutput {
    const [, , h, w] = x.shape as [number, number, number, number];
    if (h % this.reduction !== 0 || w % this.reduction !== 0)
      throw new Error(`U-Net encoder input ${h}×${w} must be divisible by ${this.reduction}`);
    let y = leakyRelu(this.stemNorm.forward(this.stem.forward(x)));
    const skips: Tensor[] = [];
    for (const stage of this.stages) {
      y = stage.forward(y);
      skips.push(y);
    }
    return { skips, deepest: y, pooled: concat([mean(y, [2, 3]), max(y, [2, 3])], 1) };
  }
}

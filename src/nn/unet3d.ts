/**
 * A 3D U-Net in the style of nnU-Net's 3d_fullres `PlainConvUNet`: every stage is two
 * conv-instance-norm-leaky-ReLU layers (`UnetBasicBlock`), stages after the first down-sample with a
 * stride-2 convolution, the decoder up-samples with 2×2×2 transposed convolutions and concatenates
 * the encoder's skip of that resolution, and 1×1×1 heads give logits at every decoder resolution for
 * deep supervision. With attention on, the K pixel-tag attention maps of the deepest features are
 * resized and concatenated at every decoder stage, exactly as in the 2D U-Net and UNETR
 * (`attention-injection.ts`).
 *
 * @example
 * const net = new UNet3d({ inChannels: 1, widths: [16, 32, 64, 128], classes: 14 });
 * const logits = net.forward(patch); // [N, 14, D, H, W], D, H and W divisible by 8
 */
import { concat, type Tensor } from '../engine/index.js';
import { AttentionInjection, resizeAttention } from './attention-injection.js';
import { Conv, ConvTranspose } from './layers/conv.js';
import { UnetBasicBlock } from './layers/unet-basic-block.js';

export interface UNet3dConfig {
  inChannels: number;
  /** Channels per stage (nnU-Net: 32, 64, 128, 256, 320, 320; `small` 16…128 trains on CPUs). */
  widths: number[];
  /** Output classes including background. */
  classes: number;
  attention?: { tags: number; embedDim: number; tau: number };
  /** 1×1×1 heads on the lower decoder stages (training only). */
  deepSupervision?: boolean;
}

/** One decoder stage: up-sample the deeper map, concatenate skip (and maps), two conv layers. */
export class UNet3dDecoderStage {
  readonly up: ConvTranspose;
  readonly block: UnetBasicBlock;

  constructor(deeperChannels: number, channels: number, extraChannels: number) {
    this.up = new ConvTranspose(3, deeperChannels, channels, 2);
    this.block = new UnetBasicBlock(3, 2 * channels + extraChannels, channels);
  }

  forward(deeper: Tensor, skip: Tensor, attention: Tensor | null): Tensor {
    const parts = [this.up.forward(deeper), skip];
    if (attention) parts.push(resizeAttention(attention, skip.shape.slice(2)));
    return this.block.forward(concat(parts, 1));
  }
}

export class UNet3d {
  /** Full resolution first; stage i works at 1/2^i. */
  readonly encoder: UnetBasicBlock[];
  readonly attention: AttentionInjection | null;
  /** Deepest first (the stage that climbs from the bottleneck). */
  readonly decoder: UNet3dDecoderStage[];
  readonly head: Conv;
  /** Heads of the lower-resolution decoder stages, half resolution first. */
  readonly deepHeads: Conv[];

  constructor(readonly config: UNet3dConfig) {
    const { widths } = config;
    if (widths.length < 2) throw new Error('the 3D U-Net needs at least two stages');
    this.encoder = widths.map(
      (w, i) => new UnetBasicBlock(3, i === 0 ? config.inChannels : widths[i - 1]!, w, i === 0 ? 1 : 2),
    );
    this.attention = config.attention
      ? new AttentionInjection({ spatialDims: 3, featureChannels: widths.at(-1)!, ...config.attention })
      : null;
    const extra = this.attention?.channels ?? 0;
    this.decoder = [];
    for (let i = widths.length - 2; i >= 0; i--)
      this.decoder.push(new UNet3dDecoderStage(widths[i + 1]!, widths[i]!, extra));
    this.head = new Conv(3, widths[0]!, config.classes, 1, { padding: 0 });
    this.deepHeads = config.deepSupervision
      ? widths.slice(1, -1).map((w) => new Conv(3, w, config.classes, 1, { padding: 0 }))
      : [];
  }

  /** Patch sizes must be divisible by this. */
  get reduction(): number {
    return 2 ** (this.config.widths.length - 1);
  }

  /** x [N, C, D, H, W] → logits [N, classes, D, H, W]. */
  forward(x: Tensor): Tensor {
    return this.forwardDeep(x, false)[0]!;
  }

  /** Logits [full, 1/2, 1/4, …] (only the full resolution unless `deep`). */
  forwardDeep(x: Tensor, deep = true): Tensor[] {
    const size = x.shape.slice(2);
    if (size.some((s) => s % this.reduction !== 0))
      throw new Error(`3D U-Net input ${size.join('×')} must be divisible by ${this.reduction}`);
    const skips: Tensor[] = [];
    let y = x;
    for (const stage of this.encoder) {
      y = stage.forward(y);
      skips.push(y);
    }
    const bottleneck = skips.pop()!;
    const maps = this.attention ? this.attention.forward(bottleneck) : null;
    y = bottleneck;
    const stages: Tensor[] = [];
    for (const stage of this.decoder) {
      y = stage.forward(y, skips.pop()!, maps);
      stages.push(y);
    }
    const outputs = [this.head.forward(y)];
    if (deep)
      this.deepHeads.forEach((head, i) => {
        outputs.push(head.forward(stages[stages.length - 2 - i]!));
      });
    return outputs;
  }
}

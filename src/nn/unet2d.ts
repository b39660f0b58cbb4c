/**
 * The 2D U-Net for fine-tuning: the (pre-trained or randomly initialised) residual encoder E of
 * `unet2d-encoder.ts` and a mirrored decoder. Each decoder stage doubles the resolution with a 2×2
 * transposed convolution, concatenates the encoder's skip of that resolution (and, when attention is
 * on, the K pixel-tag attention maps resized to it) and applies a residual block; a 1×1 convolution
 * gives the class logits at the input's resolution.
 *
 * @example
 * const net = new UNet2d({ inChannels: 1, widths: [16, 32, 64, 128], classes: 14 });
 * const logits = net.forward(slices); // [N, 14, H, W]
 */
import { concat, type Tensor } from '../engine/index.js';
import { AttentionInjection, resizeAttention } from './attention-injection.js';
import { Conv, ConvTranspose } from './layers/conv.js';
import { UnetResBlock } from './layers/unet-res-block.js';
import { UNet2dEncoder } from './unet2d-encoder.js';

export interface UNet2dConfig {
  inChannels: number;
  /** Channels per encoder stage (the decoder mirrors them). */
  widths: number[];
  /** Output classes including background. */
  classes: number;
  /** Pixel-tag attention maps at every decoder stage; absent = off. */
  attention?: { tags: number; embedDim: number; tau: number };
  /** 1×1 heads on the lower decoder stages for deep supervision (training only; default off). */
  deepSupervision?: boolean;
}

export class UNet2dDecoderStage {
  readonly up: ConvTranspose;
  readonly block: UnetResBlock;

  constructor(deeperChannels: number, channels: number, extraChannels: number) {
    this.up = new ConvTranspose(2, deeperChannels, channels, 2);
    this.block = new UnetResBlock(2, 2 * channels + extraChannels, channels);
  }

  forward(deeper: Tensor, skip: Tensor, attention: Tensor | null): Tensor {
    const parts = [this.up.forward(deeper), skip];
    if (attention) parts.push(resizeAttention(attention, skip.shape.slice(2)));
    return this.block.forward(concat(parts, 1));
  }
}

export class UNet2d {
  /** Named as in MosmosModel (`imageEncoder.…`), so a pre-training checkpoint loads by name. */
  readonly imageEncoder: UNet2dEncoder;
  readonly attention: AttentionInjection | null;
  /** Deepest first. */
  readonly decoder: UNet2dDecoderStage[];
  readonly head: Conv;
  /** Heads of the lower-resolution decoder stages, half resolution first (deep supervision). */
  readonly deepHeads: Conv[];

  constructor(readonly config: UNet2dConfig) {
    const { widths } = config;
    if (widths.length < 2) throw new Error('the 2D U-Net needs at least two stages');
    this.imageEncoder = new UNet2dEncoder({ inChannels: config.inChannels, widths });
    this.attention = config.attention
      ? new AttentionInjection({
          spatialDims: 2,
          featureChannels: widths[widths.length - 1]!,
          ...config.attention,
        })
      : null;
    const extra = this.attention?.channels ?? 0;
    this.decoder = [];
    for (let i = widths.length - 2; i >= 0; i--)
      this.decoder.push(new UNet2dDecoderStage(widths[i + 1]!, widths[i]!, extra));
    this.head = new Conv(2, widths[0]!, config.classes, 1, { padding: 0 });
    this.deepHeads = config.deepSupervision
      ? widths.slice(1, -1).map((w) => new Conv(2, w, config.classes, 1, { padding: 0 }))
      : [];
  }

  /** Input sizes must be divisible by this. */
  get reduction(): number {
    return this.imageEncoder.reduction;
  }

  /** x [N, C, H, W] → class logits [N, classes, H, W]. */
  forward(x: Tensor): Tensor {
    return this.forwardDeep(x, false)[0]!;
  }

  /**
   * Logits at full resolution and, with `deep` (and deep supervision configured), at every lower
   * decoder stage: [full, 1/2, 1/4, …] as nnU-Net's deep supervision outputs.
   */
  forwardDeep(x: Tensor, deep = true): Tensor[] {
    const { skips, deepest } = this.imageEncoder.forward(x);
    const maps = this.attention ? this.attention.forward(deepest) : null;
    let y = deepest;
    const stages: Tensor[] = [];
    this.decoder.forEach((stage, i) => {
      y = stage.forward(y, skips[skips.length - 2 - i]!, maps);
      stages.push(y);
    });
    const outputs = [this.head.forward(y)];
    if (deep)
      this.deepHeads.forEach((head, i) => {
        outputs.push(head.forward(stages[stages.length - 2 - i]!));
      });
    return outputs;
  }
}

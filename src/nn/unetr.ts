/**
 * UNETR (Hatamizadeh et al. 2022, as MONAI's `UNETR`): the ViT encoder E and a convolutional decoder
 * fed by skips from four depths. With patch size p = 2^L the token grid is the input / p; the tokens
 * of evenly spaced transformer layers are brought to resolutions input / 2^j (j = L−1 … 1) by chains
 * of 2× transposed convolutions with residual blocks (MONAI's UnetrPrUpBlock), the input itself gives
 * the full-resolution skip through a residual block (UnetrBasicBlock), and decoder stages
 * (UnetrUpBlock: 2× transposed convolution, concatenation, residual block) climb from the final
 * tokens back to the input size. With attention on, the K pixel-tag maps from the final tokens are
 * resized and concatenated at every decoder stage.
 *
 * @example
 * const net = new Unetr({ inChannels: 1, classes: 14, featureSize: 16,
 *   vit: { imageSize: [32, 32, 32], patchSize: 8, hidden: 64, depth: 4, heads: 4 } });
 * const logits = net.forward(patch); // [N, 14, 32, 32, 32]
 */
import { concat, permute, reshape, type Tensor } from '../engine/index.js';
import { AttentionInjection, resizeAttention } from './attention-injection.js';
import { Conv, ConvTranspose } from './layers/conv.js';
import { UnetResBlock } from './layers/unet-res-block.js';
import { ViT, type ViTConfig } from './vit.js';

export interface UnetrConfig {
  inChannels: number;
  classes: number;
  /** Channels of the full-resolution stage (MONAI's feature_size, 16); doubled per level. */
  featureSize: number;
  vit: Omit<ViTConfig, 'inChannels'>;
  attention?: { tags: number; embedDim: number; tau: number };
}

/** UnetrPrUpBlock: a 2× transposed convolution, then `layers` × (2× transposed convolution + residual block). */
export class UnetrPrUpBlock {
  readonly init: ConvTranspose;
  readonly ups: ConvTranspose[];
  readonly blocks: UnetResBlock[];

  constructor(inChannels: number, outChannels: number, layers: number) {
    this.init = new ConvTranspose(3, inChannels, outChannels, 2);
    this.ups = Array.from({ length: layers }, () => new ConvTranspose(3, outChannels, outChannels, 2));
    this.blocks = Array.from({ length: layers }, () => new UnetResBlock(3, outChannels, outChannels));
  }

  forward(x: Tensor): Tensor {
    let y = this.init.forward(x);
    this.ups.forEach((up, i) => {
      y = this.blocks[i]!.forward(up.forward(y));
    });
    return y;
  }
}

/** UnetrUpBlock: 2× transposed convolution, concatenation with the skip (and maps), residual block. */
export class UnetrUpBlock {
  readonly up: ConvTranspose;
  readonly block: UnetResBlock;

  constructor(inChannels: number, outChannels: number, extraChannels: number) {
    this.up = new ConvTranspose(3, inChannels, outChannels, 2);
    this.block = new UnetResBlock(3, 2 * outChannels + extraChannels, outChannels);
  }

  forward(x: Tensor, skip: Tensor, attention: Tensor | null): Tensor {
    const parts = [this.up.forward(x), skip];
    if (attention) parts.push(resizeAttention(attention, skip.shape.slice(2)));
    return this.block.forward(concat(parts, 1));
  }
}

export class Unetr {
  /** Named as in MosmosModel (`imageEncoder.…`), so a pre-training checkpoint loads by name. */
  readonly imageEncoder: ViT;
  readonly attention: AttentionInjection | null;
  /** Full-resolution skip from the input. */
  readonly encoder1: UnetResBlock;
  /** Skips at input / 2^j for j = 1 … L−1. */
  readonly tokenSkips: UnetrPrUpBlock[];
  /** Deepest first: from the token grid up to the input size. */
  readonly decoder: UnetrUpBlock[];
  readonly head: Conv;
  /** Which ViT hidden state (index into ViTOutput.hiddenStates) feeds tokenSkips[j − 1]. */
  readonly skipSources: number[];
  readonly levels: number;

  constructor(readonly config: UnetrConfig) {
    const { vit, featureSize: f } = config;
    const levels = Math.log2(vit.patchSize);
    if (!Number.isInteger(levels) || levels < 2)
      throw new Error(`UNETR needs a power-of-two patch size ≥ 4, got ${vit.patchSize}`);
    this.levels = levels;
    this.imageEncoder = new ViT({ inChannels: config.inChannels, ...vit });
    this.attention = config.attention
      ? new AttentionInjection({ spatialDims: 3, featureChannels: vit.hidden, ...config.attention })
      : null;
    const extra = this.attention?.channels ?? 0;
    this.encoder1 = new UnetResBlock(3, config.inChannels, f);
    this.tokenSkips = [];
    this.skipSources = [];
    for (let j = 1; j < levels; j++) {
      this.tokenSkips.push(new UnetrPrUpBlock(vit.hidden, f * 2 ** j, levels - j - 1));
      // Deeper layers feed coarser skips; with patch 16 these are layers 3, 6, 9 of 12 as in UNETR.
      this.skipSources.push(3 - levels + j);
    }
    this.decoder = [];
    for (let j = levels - 1; j >= 0; j--)
      this.decoder.push(
        new UnetrUpBlock(j === levels - 1 ? vit.hidden : f * 2 ** (j + 1), f * 2 ** j, extra),
      );
    this.head = new Conv(3, f, config.classes, 1, { padding: 0 });
  }

  /** x [N, C, D, H, W] of the ViT's image size → logits [N, classes, D, H, W]. */
  forward(x: Tensor, training = false): Tensor {
    const out = this.imageEncoder.forward(x, training);
    const n = x.shape[0]!;
    const hidden = this.config.vit.hidden;
    const toMap = (tokens: Tensor) => reshape(permute(tokens, [0, 2, 1]), [n, hidden, ...out.grid]);
    const deepest = toMap(out.tokens);
    const maps = this.attention ? this.attention.forward(deepest) : null;
    const skips = [this.encoder1.forward(x)];
    this.tokenSkips.forEach((block, i) => {
      // A ViT shallower than 4 layers exposes fewer states; the deepest available one stands in.
      const source = Math.min(this.skipSources[i]!, out.hiddenStates.length - 1);
      skips.push(block.forward(toMap(out.hiddenStates[source]!)));
    });
    let y = deepest;
    this.decoder.forEach((stage, i) => {
      y = stage.forward(y, skips[this.levels - 1 - i]!, maps);
    });
    return this.head.forward(y);
  }
}

/**
 * The 3D image encoder E of MOSMOS: UNETR's vision transformer. Non-overlapping patches (16³ in
 * UNETR; 8³ for the CPU-sized preset) are embedded by a strided convolution, learnable position
 * embeddings are added, and pre-LN transformer layers follow. The token sequences after four evenly
 * spaced layers (3, 6, 9, 12 of 12) feed the UNETR decoder's skips.
 */
import { add, mean, type Parameter, permute, reshape, type Tensor } from '../engine/index.js';
import { truncNormalParameter } from './init.js';
import { Conv } from './layers/conv.js';
import { LayerNorm } from './layers/norm.js';
import { TransformerEncoderLayer } from './layers/transformer.js';

export interface ViTConfig {
  inChannels: number;
  /** Input volume size [D, H, W]; each divisible by `patchSize`. */
  imageSize: [number, number, number];
  patchSize: number;
  hidden: number;
  depth: number;
  heads: number;
  mlpRatio?: number;
  dropout?: number;
}

/** `tiny` trains on CPU; `base` is UNETR's original ViT-B/16 on 96³ crops. */
export const vitPresets = {
  tiny: { imageSize: [32, 32, 32], patchSize: 8, hidden: 64, depth: 4, heads: 4 },
  small: { imageSize: [64, 64, 64], patchSize: 16, hidden: 384, depth: 12, heads: 6 },
  base: { imageSize: [96, 96, 96], patchSize: 16, hidden: 768, depth: 12, heads: 12 },
} as const satisfies Record<string, Omit<ViTConfig, 'inChannels'>>;

export type ViTPreset = keyof typeof vitPresets;

export interface ViTOutput {
  /** Final tokens after the last LayerNorm: [N, L, hidden]. */
  tokens: Tensor;
  /** Tokens after the layers in `skipLayers` (1-based), for the UNETR decoder: 4 × [N, L, hidden]. */
  hiddenStates: Tensor[];
  /** Token grid [d, h, w] (L = d·h·w, z slowest as the input's D). */
  grid: [number, number, number];
  /** Mean over tokens: [N, hidden]. */
  pooled: Tensor;
}

export class ViT {
  readonly patchEmbedding: Conv;
  readonly positionEmbedding: Parameter;
  readonly blocks: TransformerEncoderLayer[];
  readonly norm: LayerNorm;
  readonly grid: [number, number, number];
  /** 1-based layer numbers whose outputs are exposed (3, 6, 9, 12 for 12 layers). */
  readonly skipLayers: number[];

  constructor(readonly config: ViTConfig) {
    const { imageSize, patchSize, hidden, depth, heads } = config;
    for (const s of imageSize)
      if (s % patchSize !== 0)
        throw new Error(`ViT image size ${imageSize} not divisible by patch ${patchSize}`);
    this.grid = imageSize.map((s) => s / patchSize) as [number, number, number];
    const tokens = this.grid[0] * this.grid[1] * this.grid[2];
    this.patchEmbedding = new Conv(3, config.inChannels, hidden, patchSize, {
      stride: patchSize,
      padding: 0,
    });
    this.positionEmbedding = truncNormalParameter([1, tokens, hidden], 0.02);
    this.blocks = Array.from(
      { length: depth },
      () =>
        new TransformerEncoderLayer(hidden, heads, { mlpRatio: config.mlpRatio, dropout: config.dropout }),
    );
    this.norm = new LayerNorm(hidden);
    this.skipLayers = [1, 2, 3, 4].map((q) => Math.max(1, Math.round((q * depth) / 4)));
  }

  get outChannels(): number {
    return this.config.hidden;
  }

  /** Width of `pooled`. */
  get pooledChannels(): number {
    return this.config.hidden;
  }

  /** x [N, C, D, H, W] of the configured image size. */
  forward(x: Tensor, training = false): ViTOutput {
    const [n, , ...spatial] = x.shape as number[];
    if (spatial.some((s, i) => s !== this.config.imageSize[i]))
      throw new Error(`ViT expects ${this.config.imageSize.join('×')} input, got ${spatial.join('×')}`);
    const patches = this.patchEmbedding.forward(x); // [N, hidden, d, h, w]
    const flat = permute(reshape(patches, [n!, this.config.hidden, -1]), [0, 2, 1]);
    let y = add(flat, this.positionEmbedding);
    const hiddenStates: Tensor[] = [];
    this.blocks.forEach((block, i) => {
      y = block.forward(y, null, training);
      if (this.skipLayers.includes(i + 1)) hiddenStates.push(y);
    });
    const tokens = this.norm.forward(y);
    return { tokens, hiddenStates, grid: this.grid, pooled: mean(tokens, 1) };
  }
}

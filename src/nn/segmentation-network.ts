/**
 * The fine-tuning networks behind one description: a typed, JSON-able configuration (written to the
 * run folder so `mosmos segment` rebuilds the same network) and a builder.
 */
import type { Tensor } from '../engine/index.js';
import { UNet2d } from './unet2d.js';
import { Unetr } from './unetr.js';
import type { ViTConfig } from './vit.js';

export interface AttentionSettings {
  tags: number;
  embedDim: number;
  tau: number;
}

export type SegmentationNetworkConfig =
  | { arch: 'unet2d'; inChannels: number; classes: number; widths: number[]; attention?: AttentionSettings }
  | {
      arch: 'unetr';
      inChannels: number;
      classes: number;
      featureSize: number;
      vit: Omit<ViTConfig, 'inChannels'>;
      attention?: AttentionSettings;
    };

export type SegmentationNetwork = UNet2d | Unetr;

export function buildSegmentationNetwork(config: SegmentationNetworkConfig): SegmentationNetwork {
  if (config.arch === 'unet2d') return new UNet2d(config);
  return new Unetr(config);
}

/**
 * Logits of a batch: 2D networks take [N, C, H, W], UNETR [N, C, D, H, W] of its ViT image size.
 * `training` only matters for dropout in the ViT.
 */
export function segmentationLogits(network: SegmentationNetwork, x: Tensor, training = false): Tensor {
  return network instanceof UNet2d ? network.forward(x) : network.forward(x, training);
}

/**
 * The fine-tuning networks behind one description: a typed, JSON-able configuration (written to the
 * run folder so `mosmos segment` rebuilds the same network) and a builder.
 */
import type { Tensor } from '../engine/index.js';
import { UNet2d } from './unet2d.js';
import { UNet3d } from './unet3d.js';
import { Unetr } from './unetr.js';
import type { ViTConfig } from './vit.js';

export interface AttentionSettings {
  tags: number;
  embedDim: number;
  tau: number;
}

/** What the 2D and 3D U-Nets are built from. */
export interface UNetSettings {
  inChannels: number;
  classes: number;
  widths: number[];
  attention?: AttentionSettings;
  /** Heads at the lower decoder resolutions (deep supervision while training). */
  deepSupervision?: boolean;
}

export type SegmentationNetworkConfig =
  | ({ arch: 'unet2d' } & UNetSettings)
  | ({ arch: 'unet3d' } & UNetSettings)
  | {
      arch: 'unetr';
      inChannels: number;
      classes: number;
      featureSize: number;
      vit: Omit<ViTConfig, 'inChannels'>;
      attention?: AttentionSettings;
    };

export type SegmentationNetwork = UNet2d | UNet3d | Unetr;

export function buildSegmentationNetwork(config: SegmentationNetworkConfig): SegmentationNetwork {
  if (config.arch === 'unet2d') return new UNet2d(config);
  if (config.arch === 'unet3d') return new UNet3d(config);
  return new Unetr(config);
}

/**
 * Logits of a batch: 2D networks take [N, C, H, W], UNETR [N, C, D, H, W] of its ViT image size.
 * `training` only matters for dropout in the ViT.
 */
export function segmentationLogits(network: SegmentationNetwork, x: Tensor, training = false): Tensor {
  return network instanceof Unetr ? network.forward(x, training) : network.forward(x);
}

/**
 * Training outputs: logits at full resolution and, for U-Nets built with deep supervision, at each
 * lower decoder resolution ([full, 1/2, 1/4, …]); UNETR gives only the full resolution.
 */
export function segmentationOutputs(network: SegmentationNetwork, x: Tensor, training = true): Tensor[] {
  return network instanceof Unetr ? [network.forward(x, training)] : network.forwardDeep(x, true);
}

/** Whether the network takes 2D slices ([N, C, H, W]) rather than 3D patches. */
export function isSliceNetwork(network: SegmentationNetwork): boolean {
  return network instanceof UNet2d;
}

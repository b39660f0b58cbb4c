/**
 * Projection heads into the shared image–text space (ConVIRT / GLoRIA style: linear, activation,
 * linear), used for the global image embedding g, the report embedding t and the tag queries q_k.
 * GELU rather than ReLU: with few pairs a ReLU head can go dead, and then g is one constant vector.
 */
import { gelu, type Tensor } from '../engine/index.js';
import { Linear } from './layers/linear.js';
import { BatchNorm } from './layers/norm.js';

/**
 * Linear → batch norm → GELU → linear (SimCLR's head). The batch norm removes the direction all
 * embeddings share at initialisation, which otherwise makes every cosine similarity ≈ 1 and leaves
 * a small-batch contrastive loss at chance for many steps.
 */
export class ProjectionHead {
  readonly fc1: Linear;
  readonly norm: BatchNorm | null;
  readonly fc2: Linear;

  /**
   * `batchNorm: false` for inputs that are not a batch of samples — the tag queries are one fixed
   * set of prompts, whose statistics would tie each query to the others.
   */
  constructor(
    inFeatures: number,
    outFeatures: number,
    options: { hidden?: number; batchNorm?: boolean } = {},
  ) {
    const hidden = options.hidden ?? Math.max(inFeatures, outFeatures);
    const batchNorm = options.batchNorm ?? true;
    this.fc1 = new Linear(inFeatures, hidden, { bias: !batchNorm });
    this.norm = batchNorm ? new BatchNorm(hidden) : null;
    this.fc2 = new Linear(hidden, outFeatures);
  }

  /** x [N, in] → [N, out]; `training` uses batch statistics (N ≥ 2) and updates the running ones. */
  forward(x: Tensor, training = false): Tensor {
    const h = this.fc1.forward(x);
    return this.fc2.forward(gelu(this.norm ? this.norm.forward(h, training) : h));
  }
}

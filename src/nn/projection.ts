/**
 * Projection heads into the shared image–text space (ConVIRT / GLoRIA style: linear, activation,
 * linear), used for the global image embedding g, the report embedding t and the tag queries q_k.
 * GELU rather than ReLU: with few pairs a ReLU head can go dead, and then g is one constant vector.
 */
import { gelu, type Tensor } from '../engine/index.js';
import { Linear } from './layers/linear.js';

export class ProjectionHead {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(inFeatures: number, outFeatures: number, hidden = Math.max(inFeatures, outFeatures)) {
    this.fc1 = new Linear(inFeatures, hidden);
    this.fc2 = new Linear(hidden, outFeatures);
  }

  /** x [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}

/**
 * Projection heads into the shared image–text space (ConVIRT / GLoRIA style: linear, ReLU, linear),
 * used for the global image embedding g, the report embedding t and the tag queries q_k.
 */
import { relu, type Tensor } from '../engine/index.js';
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
    return this.fc2.forward(relu(this.fc1.forward(x)));
  }
}

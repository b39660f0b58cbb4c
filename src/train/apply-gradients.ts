import { backward, clipGradNorm, type Optimizer, type Tensor } from '../engine/index.js';

/**
 * One optimizer step from a loss, as every training loop takes it: backpropagate, clip the global
 * gradient norm (when `clipNorm` > 0), step, and clear the gradients for the next batch.
 */
export function applyGradients(loss: Tensor, optimizer: Optimizer, clipNorm: number): void {
  backward(loss);
  if (clipNorm > 0) clipGradNorm(optimizer.params, clipNorm);
  optimizer.step();
  optimizer.zeroGrad();
}

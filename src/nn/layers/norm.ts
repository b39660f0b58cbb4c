import {
  batchNorm,
  instanceNorm,
  keep,
  layerNorm,
  ones,
  type Parameter,
  type Tensor,
  zeros,
} from '../../engine/index.js';
import { constantParameter } from '../init.js';

/** nn.LayerNorm over the last axis (weight 1, bias 0). */
export class LayerNorm {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(
    readonly features: number,
    readonly epsilon = 1e-5,
  ) {
    this.weight = constantParameter([features], 1);
    this.bias = constantParameter([features], 0);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, { epsilon: this.epsilon });
  }
}

/**
 * nn.InstanceNorm2d/3d(affine=True): per sample and channel over space. nnU-Net's choice for small
 * batches of medical images, where batch statistics are noisy; it needs no train/eval mode.
 */
export class InstanceNorm {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(
    readonly channels: number,
    readonly epsilon = 1e-5,
  ) {
    this.weight = constantParameter([channels], 1);
    this.bias = constantParameter([channels], 0);
  }

  forward(x: Tensor): Tensor {
    return instanceNorm(x, this.weight, this.bias, { epsilon: this.epsilon });
  }
}

/** nn.BatchNorm2d/3d with running statistics (buffers, not parameters: they are not trained). */
export class BatchNorm {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(
    readonly channels: number,
    readonly momentum = 0.1,
    readonly epsilon = 1e-5,
  ) {
    this.weight = constantParameter([channels], 1);
    this.bias = constantParameter([channels], 0);
    this.runningMean = keep(zeros([channels]));
    this.runningVar = keep(ones([channels]));
  }

  forward(x: Tensor, training: boolean): Tensor {
    return batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training,
      momentum: this.momentum,
      epsilon: this.epsilon,
    });
  }
}

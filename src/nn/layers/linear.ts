import { linear, type Parameter, type Tensor } from '../../engine/index.js';
import { kaimingUniformParameter } from '../init.js';

/** y = x Wᵀ + b over the last axis (nn.Linear: weight [out, in], bias [out]). */
export class Linear {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    this.weight = kaimingUniformParameter([outFeatures, inFeatures], inFeatures);
    this.bias = options.bias === false ? null : kaimingUniformParameter([outFeatures], inFeatures);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

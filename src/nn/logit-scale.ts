import { clamp, exp, type Parameter, parameter, type Tensor } from '../engine/index.js';

/** CLIP's learnable temperature: a log-scale parameter, initial 1/0.07, clamped to at most 100. */
export class LogitScale {
  readonly logScale: Parameter;

  constructor(
    readonly initialTemperature = 0.07,
    readonly maxScale = 100,
  ) {
    this.logScale = parameter([Math.log(1 / initialTemperature)], [1]);
  }

  /** exp(clamped log scale), a one-element tensor carrying the gradient while inside the clamp. */
  forward(): Tensor {
    return exp(clamp(this.logScale, 0, Math.log(this.maxScale)));
  }

  /** The current temperature 1/scale, for logs. */
  get temperature(): number {
    return 1 / Math.exp(Math.min(Math.log(this.maxScale), Math.max(0, this.logScale.item())));
  }
}

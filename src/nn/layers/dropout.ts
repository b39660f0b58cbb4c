import { dropout, type Tensor } from '../../engine/index.js';

/** nn.Dropout: active only when `training`; p = 0 is the identity. */
export class Dropout {
  constructor(readonly p: number) {}

  forward(x: Tensor, training: boolean): Tensor {
    return dropout(x, this.p, training);
  }
}

import { embedding, type Parameter, type Tensor } from '../../engine/index.js';
import { normalParameter } from '../init.js';

/** nn.Embedding: a [rows, dim] table initialised N(0, std²) (PyTorch: std 1; BERT: 0.02). */
export class Embedding {
  readonly weight: Parameter;

  constructor(
    readonly rows: number,
    readonly dim: number,
    std = 1,
  ) {
    this.weight = normalParameter([rows, dim], std);
  }

  /** Rows for `ids` laid out as `shape`, output [...shape, dim]. */
  forward(ids: Int32Array, shape: readonly number[] = [ids.length]): Tensor {
    return embedding(this.weight, ids, shape);
  }
}

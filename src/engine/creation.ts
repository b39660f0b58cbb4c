import { getBackend } from './backend-select.js';
import { getRng, type Rng } from './random.js';
import { Parameter, shapeSize, Tensor } from './tensor.js';

/**
 * A tensor on the active backend from values in row-major order.
 * @example tensor([1, 2, 3, 4], [2, 2])
 */
export function tensor(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const size = shapeSize(shape);
  if (values.length !== size)
    throw new Error(`tensor(): ${values.length} values for shape [${shape}] (${size})`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`tensor(): bad shape [${shape}]`);
  }
  const backend = getBackend();
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return new Tensor(shape, backend.fromFloat32(data, shape), backend);
}

/** A zero-rank tensor holding `value`. */
export function scalar(value: number): Tensor {
  return tensor([value], []);
}

export function full(shape: readonly number[], value: number): Tensor {
  return tensor(new Float32Array(shapeSize(shape)).fill(value), shape);
}

export function zeros(shape: readonly number[]): Tensor {
  return tensor(new Float32Array(shapeSize(shape)), shape);
}

export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape);
}

/** Normal samples (mean 0, std 1 unless given) from `rng` (default: the seeded global generator). */
export function randn(
  shape: readonly number[],
  options: { mean?: number; std?: number; rng?: Rng } = {},
): Tensor {
  const rng = options.rng ?? getRng();
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const values = new Float32Array(shapeSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = mean + std * rng.normal();
  return tensor(values, shape);
}

/** Uniform samples in [low, high). */
export function uniform(shape: readonly number[], low = 0, high = 1, rng: Rng = getRng()): Tensor {
  const values = new Float32Array(shapeSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * rng.next();
  return tensor(values, shape);
}

/** A trainable parameter holding `values` (a tensor, whose values are copied, or an array). */
export function parameter(
  values: Tensor | ArrayLike<number>,
  shape?: readonly number[],
  name?: string,
): Parameter {
  const backend = getBackend();
  const finalShape = values instanceof Tensor ? values.shape : shape;
  if (finalShape === undefined) throw new Error('parameter(): shape needed for array values');
  const plain = values instanceof Tensor ? Float32Array.from(values.data()) : Float32Array.from(values);
  if (plain.length !== shapeSize(finalShape)) {
    throw new Error(`parameter(): ${plain.length} values for shape [${finalShape}]`);
  }
  return new Parameter(finalShape, backend.fromFloat32(plain, finalShape), backend, name);
}

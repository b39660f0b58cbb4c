/**
 * Parameter initialisation as PyTorch's layers do it, from the engine's seeded generator, so a seed
 * gives the same network on every machine.
 */
import { getRng, type Parameter, parameter, type Rng } from '../engine/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Uniform in [-bound, bound). */
export function uniformParameter(shape: readonly number[], bound: number, rng: Rng = getRng()): Parameter {
  const v = new Float32Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = (rng.next() * 2 - 1) * bound;
  return parameter(v, shape);
}

/**
 * nn.Conv*d / nn.Linear weights: kaiming_uniform with a = √5, i.e. uniform(±1/√fan_in); biases use
 * the same bound.
 */
export function kaimingUniformParameter(
  shape: readonly number[],
  fanIn: number,
  rng: Rng = getRng(),
): Parameter {
  return uniformParameter(shape, 1 / Math.sqrt(fanIn), rng);
}

/** Normal(0, std²) truncated to ±2 std (timm's trunc_normal_ for position embeddings and queries). */
export function truncNormalParameter(shape: readonly number[], std: number, rng: Rng = getRng()): Parameter {
  const v = new Float32Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    v[i] = z * std;
  }
  return parameter(v, shape);
}

/** Normal(0, std²), e.g. nn.Embedding's N(0, 1). */
export function normalParameter(shape: readonly number[], std: number, rng: Rng = getRng()): Parameter {
  const v = new Float32Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = rng.normal() * std;
  return parameter(v, shape);
}

export function constantParameter(shape: readonly number[], value: number): Parameter {
  return parameter(new Float32Array(size(shape)).fill(value), shape);
}

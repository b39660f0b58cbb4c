import { backward, noGrad } from '../autograd.js';
import { setBackend } from '../backend-select.js';
import { parameter, tensor } from '../creation.js';
import { tidy } from '../memory.js';
import { Rng } from '../random.js';
import type { Parameter, Tensor } from '../tensor.js';

/**
 * Test helpers shared by the engine's tests and any backend's: random inputs and a gradient check of
 * every op's backward against central finite differences.
 */

/** Values from a seeded normal distribution (deterministic per seed). */
export function randomValues(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * rng.normal();
  return out;
}

export interface GradientCheckResult {
  /** Largest |analytic − numeric| / (1 + |numeric|) over all inputs and elements. */
  maxError: number;
  where: string;
}

/**
 * Compares autograd's gradient of L = Σ f(inputs) ⊙ R (R a fixed random projection, so the whole
 * Jacobian is exercised) with central differences (L − L₋)/(2 eps), L summed in float64.
 * float32 rounding in f limits agreement to about 1e-3 relative at eps = 1e-2, so tests use 1e-2.
 */
export function gradientCheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly { shape: number[]; values: Float32Array }[],
  options: { eps?: number; seed?: number } = {},
): GradientCheckResult {
  const eps = options.eps ?? 1e-2;
  return tidy(() => {
    const params: Parameter[] = inputs.map((input) => parameter(input.values, input.shape));
    const y = f(...params);
    const projection = randomValues(y.size, options.seed ?? 7);
    backward(y, tensor(projection, y.shape));
    const analytic = params.map((p) =>
      p.grad ? Float32Array.from(p.grad.data()) : new Float32Array(p.size),
    );
    const loss = (values: Float32Array[]): number =>
      tidy(() =>
        noGrad(() => {
          const out = f(...values.map((v, i) => tensor(v, inputs[i]!.shape))).data();
          let s = 0;
          for (let i = 0; i < out.length; i++) s += out[i]! * projection[i]!;
          return s;
        }),
      );
    let maxError = 0;
    let where = '';
    const current = inputs.map((input) => Float32Array.from(input.values));
    for (let k = 0; k < current.length; k++) {
      const v = current[k]!;
      for (let i = 0; i < v.length; i++) {
        const original = v[i]!;
        v[i] = original + eps;
        const plus = loss(current);
        v[i] = original - eps;
        const minus = loss(current);
        v[i] = original;
        const numeric = (plus - minus) / (2 * eps);
        const error = Math.abs(analytic[k]![i]! - numeric) / (1 + Math.abs(numeric));
        if (error > maxError) {
          maxError = error;
          where = `input ${k} element ${i}: analytic ${analytic[k]![i]}, numeric ${numeric}`;
        }
      }
    }
    for (const p of params) {
      p.grad?.dispose();
      p.dispose();
    }
    return { maxError, where };
  });
}

/** Asserts |actual − expected| ≤ abs + rel·|expected| elementwise, naming the first offender. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { abs: number; rel?: number },
  what: string,
): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance.abs + (tolerance.rel ?? 0) * Math.abs(e))) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e}`);
    }
  }
}

/**
 * Selects the backend the engine's tests run on: MOSMOS_TEST_BACKEND (e.g. 'onednn', so one test
 * suite checks every backend) or the reference backend.
 */
export function useTestBackend(): void {
  setBackend(process.env.MOSMOS_TEST_BACKEND || 'reference');
}

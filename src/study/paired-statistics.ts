/**
 * Statistics of a seeded study: mean ± sample sd over seeds, and the paired difference of two
 * settings run with the same seeds (same labelled cases, same initial weights where shared) with its
 * 95 % Student-t confidence interval — the pairing removes the between-seed variation that both share.
 */

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t such that P(|T| ≤ t) = 0.95 with `df` degrees of freedom (normal 1.96 beyond 30 is within 2 %). */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  return df <= 30 ? T975[Math.floor(df) - 1]! : 1.96 + 2.4 / df;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); NaN below 2 values. */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

export interface PairedDifference {
  /** Mean of a[i] − b[i] over the seeds both have. */
  mean: number;
  /** 95 % t-interval of that mean; [NaN, NaN] with fewer than 2 pairs. */
  ci95: [number, number];
  pairs: number;
}

/**
 * Paired difference a − b over matching seeds.
 * @example pairedDifference([0.6, 0.7, 0.65], [0.5, 0.55, 0.6]) // mean 0.1, ci95 ≈ [0.014, 0.186]
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  const n = Math.min(a.length, b.length);
  const d = Array.from({ length: n }, (_, i) => a[i]! - b[i]!);
  const m = mean(d);
  if (n < 2) return { mean: m, ci95: [Number.NaN, Number.NaN], pairs: n };
  const half = (tQuantile975(n - 1) * sampleSd(d)) / Math.sqrt(n);
  return { mean: m, ci95: [m - half, m + half], pairs: n };
}

/**
 * Aggregates per-case organ metrics into per-organ mean ± sd. NaN values (organ absent from
 * both prediction and truth) are left out, as MONAI's reductions do; infinite HD95 values (organ
 * missing from only one side) are left out of the mean too but counted, so a table can say
 * "3.2 ± 1.1 (1 case ∞)" instead of hiding the failure or printing ∞ for the whole organ.
 */
import type { OrganMetrics } from './evaluate.js';

/** Mean and population standard deviation (numpy's default) of the finite values. */
export interface MetricStat {
  mean: number;
  sd: number;
  /** Finite values used. */
  count: number;
  /** Infinite values left out (HD95 of an organ missing on one side). */
  infinite: number;
}

export interface OrganSummary {
  label: number;
  name: string;
  dice: MetricStat;
  hd95: MetricStat;
  nsd: MetricStat;
}

/** One evaluated case: its id and the metrics of each organ. */
export interface CaseEvaluation {
  case: string;
  organs: OrganMetrics[];
}

/** Mean and sd of the finite entries of `values`; NaN mean when there are none. */
export function metricStat(values: number[]): MetricStat {
  const finite = values.filter(Number.isFinite);
  const infinite = values.filter(
    (v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY,
  ).length;
  if (finite.length === 0) return { mean: Number.NaN, sd: Number.NaN, count: 0, infinite };
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const variance = finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length;
  return { mean, sd: Math.sqrt(variance), count: finite.length, infinite };
}

/** Per-organ statistics over cases, in the order organs first appear. */
export function summarizeEvaluations(cases: CaseEvaluation[]): OrganSummary[] {
  const byLabel = new Map<number, { name: string; rows: OrganMetrics[] }>();
  for (const c of cases)
    for (const organ of c.organs) {
      const entry = byLabel.get(organ.label) ?? { name: organ.name, rows: [] };
      entry.rows.push(organ);
      byLabel.set(organ.label, entry);
    }
  return [...byLabel.entries()].map(([label, { name, rows }]) => ({
    label,
    name,
    dice: metricStat(rows.map((r) => r.dice)),
    hd95: metricStat(rows.map((r) => r.hd95)),
    nsd: metricStat(rows.map((r) => r.nsd)),
  }));
}

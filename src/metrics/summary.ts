/**
 * Aggregates per-case organ metrics into per-organ mean ± sd. NaN values (organ absent from the
 * truth, see dice.ts) are left out, as MONAI's `nanmean` reductions do, and the false-positive
 * volumes predicted for those absent organs are summarised beside them; infinite HD95 values (organ
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

/** What was predicted for an organ in the cases whose ground truth lacks it. */
export interface FalsePositiveStat {
  /** Cases whose ground truth lacks the organ (left out of its Dice). */
  absentCases: number;
  /** Of those, the cases where the prediction has the organ anyway. */
  predictedCases: number;
  /** Mean and largest predicted volume (mL) over the absent cases; 0 when there are none. */
  meanMl: number;
  maxMl: number;
}

export interface OrganSummary {
  label: number;
  name: string;
  dice: MetricStat;
  hd95: MetricStat;
  nsd: MetricStat;
  falsePositive: FalsePositiveStat;
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
    falsePositive: falsePositiveStat(rows),
  }));
}

/** The false-positive volumes of the rows where the truth lacks the organ. */
export function falsePositiveStat(rows: OrganMetrics[]): FalsePositiveStat {
  const volumes = rows.flatMap((r) => (r.falsePositiveMl === undefined ? [] : [r.falsePositiveMl]));
  const n = volumes.length;
  return {
    absentCases: n,
    predictedCases: volumes.filter((v) => v > 0).length,
    meanMl: n === 0 ? 0 : volumes.reduce((a, b) => a + b, 0) / n,
    maxMl: n === 0 ? 0 : Math.max(...volumes),
  };
}

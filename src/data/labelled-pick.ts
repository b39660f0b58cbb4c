/**
 * Which training cases to label when only a few can be: chosen from the reports, before any pixel is
 * drawn. A seeded random pick of 3 cases from the demo cohort gave two without a gallbladder (it is
 * absent in 22 of 40 reports) and the model never learnt it; a radiologist choosing what to label
 * reads the reports first. `report-coverage` orders the cases greedily so that every organ the reports
 * name is covered, rare organs first and as often as possible:
 *
 *   score(case) = Σ over organs present in its report of  rarity(organ) / (1 + times already covered)
 *
 * with rarity = (cases with a report) / (cases whose report has the organ present). Ties go to the
 * seeded random order, so different seeds still give different (equally covering) picks, and the
 * first n of the order are the pick for n: picks are nested like label fractions.
 */
import type { DatasetCase } from './dataset.js';
import { seededShuffle } from './splits.js';

export type LabelledPick = 'random' | 'report-coverage';

export const labelledPicks: readonly LabelledPick[] = ['random', 'report-coverage'];

/**
 * The training cases in report-coverage order. `present` gives the organs a case's report says are
 * in the image (undefined: no report; such cases come last, in seeded order).
 */
export function reportCoverageOrder(
  cases: readonly DatasetCase[],
  present: (item: DatasetCase) => ReadonlySet<string> | undefined,
  seed: number,
): DatasetCase[] {
  const remaining = seededShuffle(cases, seed);
  const organs = new Map(remaining.map((c) => [c.id, present(c)]));
  const reported = remaining.filter((c) => organs.get(c.id) !== undefined).length;
  const presentCount = new Map<string, number>();
  for (const set of organs.values())
    for (const organ of set ?? []) presentCount.set(organ, (presentCount.get(organ) ?? 0) + 1);
  const covered = new Map<string, number>();
  const score = (item: DatasetCase) => {
    let total = 0;
    for (const organ of organs.get(item.id) ?? [])
      total += reported / presentCount.get(organ)! / (1 + (covered.get(organ) ?? 0));
    return total;
  };
  const order: DatasetCase[] = [];
  while (remaining.length > 0) {
    let best = 0;
    let bestScore = score(remaining[0]!);
    for (let i = 1; i < remaining.length; i++) {
      const s = score(remaining[i]!);
      // Strictly better only (with a small tolerance for float sums): ties keep the seeded order.
      if (s > bestScore + 1e-9) {
        best = i;
        bestScore = s;
      }
    }
    const [chosen] = remaining.splice(best, 1);
    order.push(chosen!);
    for (const organ of organs.get(chosen!.id) ?? []) covered.set(organ, (covered.get(organ) ?? 0) + 1);
  }
  return order;
}

/**
 * Attention maps judged on their own (DESIGN.md §1), before any fine-tuning: per organ and case,
 * the pointing game (does the map's highest voxel lie inside the organ?) and the AUROC of map values
 * separating organ voxels from the other voxels of the body region; both averaged per organ and then
 * over organs.
 */
import { auroc } from './ranking.js';

/** Index of the largest value among the voxels where `region` is 1 (all voxels without a region). */
function argmaxIn(map: ArrayLike<number>, region?: ArrayLike<number>): number {
  let best = -1;
  let value = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < map.length; i++) {
    if (region && !region[i]) continue;
    if (map[i]! > value) {
      value = map[i]!;
      best = i;
    }
  }
  return best;
}

/**
 * Pointing game: true when the map's maximum (within `region`) falls on a voxel labelled `organ`.
 * @example pointingHit(liverMap, labels, 6, body)
 */
export function pointingHit(
  map: ArrayLike<number>,
  labels: ArrayLike<number>,
  organ: number,
  region?: ArrayLike<number>,
): boolean {
  const i = argmaxIn(map, region);
  return i >= 0 && labels[i] === organ;
}

/** AUROC of `map` for organ voxels against all other voxels (within `region`); NaN without both. */
export function organAuroc(
  map: ArrayLike<number>,
  labels: ArrayLike<number>,
  organ: number,
  region?: ArrayLike<number>,
): number {
  const scores: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < map.length; i++) {
    if (region && !region[i]) continue;
    scores.push(map[i]!);
    targets.push(labels[i] === organ ? 1 : 0);
  }
  return auroc(scores, targets);
}

export interface MapCaseScore {
  case: string;
  organ: string;
  hit: boolean;
  auroc: number;
}

export interface MapScoreSummary {
  perOrgan: { organ: string; pointing: number; auroc: number; cases: number }[];
  /** Means over organs of the per-organ means (organs weigh equally, whatever their frequency). */
  pointing: number;
  auroc: number;
}

/** Per-organ means (pointing = hit rate) and their means over organs. */
export function summarizeMapScores(scores: readonly MapCaseScore[]): MapScoreSummary {
  const byOrgan = new Map<string, MapCaseScore[]>();
  for (const s of scores) byOrgan.set(s.organ, [...(byOrgan.get(s.organ) ?? []), s]);
  const perOrgan = [...byOrgan].map(([organ, list]) => {
    const aurocs = list.map((s) => s.auroc).filter(Number.isFinite);
    return {
      organ,
      pointing: list.filter((s) => s.hit).length / list.length,
      auroc: aurocs.length > 0 ? aurocs.reduce((a, b) => a + b, 0) / aurocs.length : Number.NaN,
      cases: list.length,
    };
  });
  const mean = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
  };
  return {
    perOrgan,
    pointing: mean(perOrgan.map((o) => o.pointing)),
    auroc: mean(perOrgan.map((o) => o.auroc)),
  };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatasetCase } from './dataset.js';
import { reportCoverageOrder } from './labelled-pick.js';

const item = (id: string): DatasetCase =>
  ({ id, images: [`/d/img${id}.nii.gz`], label: `/d/label${id}.nii.gz` }) as DatasetCase;

test('report-coverage puts a case with the rare organ first and covers every organ', () => {
  const organs = new Map<string, Set<string>>([
    ['1', new Set(['liver', 'spleen'])],
    ['2', new Set(['liver', 'spleen'])],
    ['3', new Set(['liver', 'gallbladder'])],
    ['4', new Set(['liver', 'spleen'])],
    ['5', new Set(['liver', 'spleen', 'gallbladder', 'adrenal'])],
  ]);
  const cases = [...organs.keys()].map(item);
  for (const seed of [0, 1, 2, 3]) {
    const order = reportCoverageOrder(cases, (c) => organs.get(c.id), seed).map((c) => c.id);
    // The only case with the adrenal, then the other gallbladder case (gallbladder's second cover
    // outweighs spleen's second), then the spleen cases in seeded order.
    assert.deepEqual(order.slice(0, 2), ['5', '3']);
    assert.deepEqual([...order].sort(), ['1', '2', '3', '4', '5']);
  }
});

test('report-coverage breaks ties by seed and puts cases without a report last', () => {
  const cases = ['a', 'b', 'c', 'd', 'e', 'f'].map(item);
  const present = (c: DatasetCase) => (c.id === 'f' ? undefined : new Set(['liver']));
  const firsts = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const order = reportCoverageOrder(cases, present, seed).map((c) => c.id);
    assert.equal(order.at(-1), 'f');
    firsts.add(order[0]!);
  }
  assert.ok(firsts.size > 1, 'every seed picked the same first case');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset, DatasetCase } from './dataset.js';
import { labelFractionSubset, splitDataset } from './splits.js';

function dataset(cases: DatasetCase[]): Dataset {
  return {
    format: 'msd',
    root: '/data',
    cases,
    labels: { 0: 'background' },
    modalities: ['CT'],
    problems: [],
  };
}

const labelled = (n: number): DatasetCase[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `case_${String(i).padStart(3, '0')}`,
    images: [`/i${i}`],
    label: `/l${i}`,
  }));

test('the BTCV-style split the dataset defines is kept (24/6)', () => {
  const btcvIds = [
    ...Array.from({ length: 10 }, (_, i) => i + 1),
    ...Array.from({ length: 20 }, (_, i) => i + 21),
  ];
  const cases = btcvIds.map((n) => {
    const id = String(n).padStart(4, '0');
    return { id, images: [id], label: id, split: n >= 35 ? ('validation' as const) : ('train' as const) };
  });
  const s = splitDataset(dataset(cases), { seed: 123 });
  assert.equal(s.train.length, 24);
  assert.deepEqual(
    s.validation.map((c) => c.id),
    ['0035', '0036', '0037', '0038', '0039', '0040'],
  );
});

test('otherwise a seeded 80/20 split: reproducible, disjoint, complete, seed-dependent', () => {
  const cases = labelled(41);
  const a = splitDataset(dataset(cases), { seed: 1 });
  const b = splitDataset(dataset([...cases].reverse()), { seed: 1 });
  const c = splitDataset(dataset(cases), { seed: 2 });
  assert.equal(a.validation.length, 8); // round(41 · 0.2)
  assert.equal(a.train.length, 33);
  assert.deepEqual(a, b, 'input order must not matter');
  assert.notDeepEqual(a.validation, c.validation);
  const ids = new Set([...a.train, ...a.validation].map((x) => x.id));
  assert.equal(ids.size, 41);
  const unlabelled = splitDataset(dataset([...cases, { id: 'zz', images: ['/t'] }]), { seed: 1 });
  assert.deepEqual(
    unlabelled.test.map((x) => x.id),
    ['zz'],
  );
});

test('label-fraction subsets are seeded, sized by the fraction, and nested', () => {
  const train = labelled(40);
  const ten = labelFractionSubset(train, 0.1, 7);
  const quarter = labelFractionSubset(train, 0.25, 7);
  assert.equal(ten.length, 4);
  assert.equal(quarter.length, 10);
  assert.ok(ten.every((c) => quarter.some((q) => q.id === c.id)));
  assert.deepEqual(labelFractionSubset(train, 0.1, 7), ten);
  assert.equal(labelFractionSubset(train.slice(0, 3), 0.01, 7).length, 1);
  assert.equal(labelFractionSubset(train, 1, 7).length, 40);
  assert.throws(() => labelFractionSubset(train, 0, 7), /label fraction/);
});

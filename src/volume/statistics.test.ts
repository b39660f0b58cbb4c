import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelCounts, valueRange } from './statistics.js';

test('labelCounts: histogram path, map path, and images', () => {
  assert.deepEqual(labelCounts(new Int16Array([3, -2, 3, 0, 3]), 'int16'), [
    [-2, 1],
    [0, 1],
    [3, 3],
  ]);
  assert.deepEqual(labelCounts(new Int32Array([820, 205, 820]), 'int32'), [
    [205, 1],
    [820, 2],
  ]);
  assert.equal(
    labelCounts(
      Int32Array.from({ length: 300 }, (_, i) => i),
      'int32',
    ),
    null,
  );
  assert.equal(
    labelCounts(
      Uint16Array.from({ length: 257 }, (_, i) => i),
      'uint16',
    ),
    null,
  );
  assert.equal(labelCounts(new Float32Array([1, 2]), 'float32'), null);
});

test('valueRange ignores NaN', () => {
  assert.deepEqual(valueRange(new Float32Array([Number.NaN, 4, -1])), [-1, 4]);
  assert.deepEqual(valueRange(new Float32Array([Number.NaN])), [Number.NaN, Number.NaN]);
});

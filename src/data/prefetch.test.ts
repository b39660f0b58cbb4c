import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { prefetch } from './prefetch.js';

test('keeps at most `depth` loads in flight and yields in order', async () => {
  let active = 0;
  let peak = 0;
  const loads = [30, 5, 20, 1, 10].map((ms, i) => async () => {
    active++;
    peak = Math.max(peak, active);
    await sleep(ms);
    active--;
    return i;
  });
  const out: number[] = [];
  for await (const v of prefetch(loads, 2)) out.push(v);
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
});

test('a failing load rejects when its turn comes', async () => {
  const loads = [async () => 1, async () => Promise.reject(new Error('bad file'))];
  const out: number[] = [];
  await assert.rejects(async () => {
    for await (const v of prefetch(loads, 2)) out.push(v);
  }, /bad file/);
  assert.deepEqual(out, [1]);
});

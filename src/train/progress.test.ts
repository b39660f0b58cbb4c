import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, formatDuration } from './progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (t: string) => writes.push(t) } };
}

test('formatDuration writes hours, minutes and seconds', () => {
  assert.equal(formatDuration(12.4), '12s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(3720), '1h02m');
  assert.equal(formatDuration(Number.NaN), '?');
});

test('TTY mode redraws one line with rate and ETA', () => {
  let t = 0;
  const { writes, stream } = sink(true);
  const p = createProgress({ total: 10, label: 'epoch 1/2', stream, now: () => t });
  t = 2000;
  p.update(4, { loss: 0.5 });
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^\repoch 1\/2 \[#{8}\.{12}\] 4\/10 2\.00 it\/s elapsed 2s eta 3s loss 0\.5000/);
  p.finish();
  assert.ok(writes[1]!.endsWith('\n'));
});

test('plain mode prints periodic lines without carriage returns', () => {
  let t = 0;
  const { writes, stream } = sink(false);
  const p = createProgress({ total: 100, stream, now: () => t, plainIntervalS: 10 });
  for (let i = 1; i <= 100; i++) {
    t = i * 1000; // one step per second → a line every 10 steps at most
    p.update(i, { loss: 1 / i });
  }
  p.finish();
  assert.ok(writes.length >= 9 && writes.length <= 11, `got ${writes.length} lines`);
  assert.ok(writes.every((w) => !w.includes('\r') && w.endsWith('\n')));
  assert.match(writes.at(-1)!, /^100\/100/);
});

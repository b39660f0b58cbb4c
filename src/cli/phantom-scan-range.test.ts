import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-cli-scan-range-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs `main` and returns its exit code with what it printed to stdout and stderr. */
async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const [out, err] = [[] as string[], [] as string[]];
  const [log, error] = [console.log, console.error];
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

test('phantom --scan-range vary crops the cases and prints how many lack each organ', async () => {
  const data = join(root, 'vary');
  const args = ['phantom', '--cases', '6', '--out', data, '--size', '32,32,24', '--seed', '7'];
  const written = await captured([...args, '--scan-range', 'vary']);
  assert.equal(written.code, 0, written.err);
  const line = /cases without each organ \(of 6\): (.*)$/m.exec(written.out);
  assert.ok(line, written.out);
  const counts = new Map(
    line[1]!.split(', ').map((part) => [part.replace(/ \d+$/, ''), Number(part.split(' ').pop())]),
  );
  assert.equal(counts.size, 13);
  const pairs = readFileSync(join(data, 'pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(pairs.every((p) => p.fieldOfView));
  // The liver is never resected in the phantom: every case without it had it out of view.
  const outside = pairs.filter((p) => p.fieldOfView.outside.includes('liver')).length;
  assert.ok(outside > 0);
  assert.equal(counts.get('liver'), outside);

  const bad = await captured([...args, '--out', join(root, 'bad'), '--scan-range', 'chest']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /scan-range/);
});

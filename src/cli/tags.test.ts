import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from './tags.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-tags-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the command and returns what it printed. */
async function capture(argv: string[]): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(await run(argv), 0);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('tags --json on JSONL: vocabulary tags, or the given concepts, with evidence offsets', async () => {
  const path = join(root, 'reports.jsonl');
  const texts = [
    'FINDINGS: Status post cholecystectomy. The spleen is enlarged.',
    'No pneumothorax. Possible small effusion.',
  ];
  writeFileSync(
    path,
    `${JSON.stringify({ id: 'r1', text: texts[0] })}\n\n${JSON.stringify({ id: 'r2', text: texts[1], concepts: ['pneumothorax', 'effusion'] })}\n`,
  );
  const lines = (await capture([path, '--json', '--vocab', 'btcv']))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.id, l.tags.map((t: { tag: string; status: string }) => `${t.tag}:${t.status}`)]),
    [
      ['r1', ['spleen:abnormal', 'gallbladder:absent']],
      ['r2', ['pneumothorax:absent', 'effusion:uncertain']],
    ],
  );
  const gallbladder = lines[0].tags[1];
  assert.equal(texts[0]!.slice(gallbladder.evidence.start, gallbladder.evidence.end), 'cholecystectomy');
  assert.equal(gallbladder.evidence.sentence, 'Status post cholecystectomy.');
});

test('tags on a text report prints a table', async () => {
  const path = join(root, 'report.txt');
  writeFileSync(path, 'IMPRESSION: The left kidney is surgically absent.\n');
  const out = await capture([path]);
  assert.match(out, /report\.txt/);
  assert.match(out, /left kidney\s+absent/);
});

test('tags: empty reports and bad lines are errors naming the file and line', async () => {
  const empty = join(root, 'empty.txt');
  writeFileSync(empty, ' \n');
  await assert.rejects(run([empty]), new RegExp(`${empty}: the report is empty`));
  const bad = join(root, 'bad.jsonl');
  writeFileSync(bad, `${JSON.stringify({ id: 'a', text: 'Normal liver.' })}\n{"id": "b", "text": ""}\n`);
  await assert.rejects(run([bad]), /bad\.jsonl: line 2: the report text is empty/);
  writeFileSync(bad, '{"id": "b", "text": \n');
  await assert.rejects(run([bad]), /line 1: not valid JSON/);
  await assert.rejects(run([empty, '--vocab', 'chest']), /unknown vocabulary "chest"/);
});

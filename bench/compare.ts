// bench:compare — two settings over the same seeds, as the README's comparisons are reported: per organ
// and for the mean, each setting's mean ± sd over seeds and the paired difference (candidate −
// baseline) with its 95 % t-interval. Reads the JSON lines that `bench:real` (or any bench printing
// `dice` and `meanDice`) wrote with --json, one file per seed, paired by position.
//
//   npm run bench:compare -- --baseline a-s1.json,a-s2.json,a-s3.json --candidate b-s1.json,b-s2.json,b-s3.json [--json]
import { readFileSync } from 'node:fs';
import { type CommandSpec, parseCommandLine } from '../src/cli/options.js';
import { mean, pairedDifference, sampleSd } from '../src/study/paired-statistics.js';

const spec = {
  name: 'bench:compare',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'baseline', type: 'string', help: 'comma-separated result files, one per seed' },
    { name: 'candidate', type: 'string', help: 'comma-separated result files, same seeds in the same order' },
    { name: 'json', type: 'flag', help: 'one JSON line' },
  ],
} as const satisfies CommandSpec;

interface BenchResult {
  dice: Record<string, number>;
  meanDice: number;
  steps?: number;
}

/** The last JSON line of a bench's output file (the bench prints exactly one with --json). */
function readResult(path: string): BenchResult {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'));
  if (lines.length === 0) {
    console.error(`bench:compare: ${path}: no JSON result line (did the bench finish?)`);
    process.exit(1);
  }
  const result = JSON.parse(lines.at(-1)!) as BenchResult;
  if (typeof result.meanDice !== 'number' || typeof result.dice !== 'object') {
    console.error(`bench:compare: ${path}: not a bench result (no dice / meanDice)`);
    process.exit(1);
  }
  return result;
}

const line = parseCommandLine(spec, process.argv.slice(2));
const files = (name: 'baseline' | 'candidate') => (line.string(name) ?? '').split(',').filter(Boolean);
const baseline = files('baseline').map(readResult);
const candidate = files('candidate').map(readResult);
if (baseline.length === 0 || baseline.length !== candidate.length) {
  console.error('bench:compare: give --baseline and --candidate, the same number of files (one per seed)');
  process.exit(1);
}

const organs = [...new Set(baseline.flatMap((r) => Object.keys(r.dice)))];
const row = (name: string, pick: (r: BenchResult) => number) => {
  const a = baseline.map(pick);
  const b = candidate.map(pick);
  const round = (v: number) => Number(v.toFixed(4));
  const difference = pairedDifference(b, a);
  return {
    name,
    baseline: { values: a.map(round), mean: round(mean(a)), sd: round(sampleSd(a)) },
    candidate: { values: b.map(round), mean: round(mean(b)), sd: round(sampleSd(b)) },
    difference: { mean: round(difference.mean), ci95: difference.ci95.map(round) },
  };
};
const rows = [
  ...organs.map((organ) => row(organ, (r) => r.dice[organ] ?? Number.NaN)),
  row('mean', (r) => r.meanDice),
];
if (line.flag('json')) console.log(JSON.stringify({ bench: 'compare', seeds: baseline.length, rows }));
else {
  const f = (v: number) => v.toFixed(3);
  console.log(`${'organ'.padEnd(26)} baseline        candidate       candidate − baseline [95 % CI]`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(26)} ${f(r.baseline.mean)} ± ${f(r.baseline.sd)}   ${f(r.candidate.mean)} ± ${f(r.candidate.sd)}   ` +
        `${r.difference.mean >= 0 ? '+' : ''}${f(r.difference.mean)} [${f(r.difference.ci95[0]!)}, ${f(r.difference.ci95[1]!)}]`,
    );
  console.log(`${baseline.length} seeds, paired by position`);
}

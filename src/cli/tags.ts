/** `mosmos tags <report.txt | reports.jsonl> [--vocab btcv|amos|mmwhs|brats|abdomen] [--json]`. */
import { readReportInputs, tagInput } from '../report/report-inputs.js';
import type { TagResult } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'tags',
  positionals: '<report.txt | reports.jsonl>',
  arity: [1, 1],
  options: [
    {
      name: 'vocab',
      type: 'string',
      value: 'btcv|amos|mmwhs|brats|abdomen',
      default: 'abdomen',
      help: 'organ vocabulary',
    },
    { name: 'json', type: 'flag', help: 'one JSON line per report' },
  ],
} as const satisfies CommandSpec;

/** A readable table of one report's tags. */
function table(id: string, tags: TagResult[]): string {
  const lines = [id];
  if (tags.length === 0) lines.push('  (no tags mentioned)');
  const width = Math.max(3, ...tags.map((t) => t.tag.length));
  for (const t of tags) {
    const sentence = t.evidence.sentence.replace(/\s+/g, ' ');
    const shown = sentence.length > 80 ? `${sentence.slice(0, 77)}...` : sentence;
    lines.push(
      `  ${t.tag.padEnd(width)}  ${t.status.padEnd(9)}  [${t.evidence.start}-${t.evidence.end}] ${shown}`,
    );
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const vocabulary = getVocabulary(line.string('vocab') ?? 'abdomen');
  const json = line.flag('json');
  const inputs = readReportInputs(line.positional[0] ?? '');
  const out: string[] = [];
  for (const input of inputs) {
    const tags = tagInput(input, vocabulary);
    out.push(json ? JSON.stringify({ id: input.id, tags }) : table(input.id, tags));
  }
  process.stdout.write(`${out.join(json ? '\n' : '\n\n')}\n`);
  return 0;
}

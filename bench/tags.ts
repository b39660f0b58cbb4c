// `npm run bench:tags [-- --json] [-- --errors dev|held-out]`: mosmos assertion rules vs plain NegEx on
// the real sentences in ../shared/data/reports. NegEx annotations are split by report number:
// reports 1-40 were used while writing the rules ("dev"), 41-80 were not looked at ("held-out").
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertionStatus } from '../src/report/assertion.js';
import {
  type AssertionItem,
  combineMentions,
  loadChexpertLabels,
  loadNegexAnnotations,
  type NegationScores,
  scoreNegation,
} from '../src/report/assertion-eval.js';
import { loadNegexTriggers, type NegexRules, negexStatus } from '../src/report/negex.js';
import { splitSentences } from '../src/report/text.js';

type Label = AssertionItem['gold'];

const dataDir = process.env.MOSMOS_SHARED_DATA ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const json = process.argv.includes('--json');
const errorsFor = process.argv.includes('--errors') ? process.argv[process.argv.indexOf('--errors') + 1] : '';

interface System {
  name: string;
  judge: (sentence: string, span: { start: number; end: number }) => Label;
}

function systems(rules: NegexRules): System[] {
  const fromNegex = (s: string): Label =>
    s === 'negated' ? 'negative' : s === 'possible' ? 'uncertain' : 'positive';
  return [
    {
      name: 'mosmos',
      judge: (sentence, span) => {
        const status = assertionStatus(sentence, span).status;
        return status === 'absent' ? 'negative' : status === 'uncertain' ? 'uncertain' : 'positive';
      },
    },
    { name: 'negex', judge: (sentence, span) => fromNegex(negexStatus(sentence, span, rules)) },
    {
      name: 'negex-window5',
      judge: (sentence, span) => fromNegex(negexStatus(sentence, span, rules, { window: 5 })),
    },
  ];
}

// NegEx gold is two-way (Affirmed/Negated): "uncertain" and "possible" count as not negated.
const twoWay = (label: Label): Label => (label === 'uncertain' ? 'positive' : label);

function evaluateNegex(items: AssertionItem[], system: System, split: string): NegationScores {
  const predicted = items.map((item) => twoWay(system.judge(item.sentence, item.span)));
  if (errorsFor === split && system.name === 'mosmos') {
    items.forEach((item, i) => {
      if (predicted[i] !== item.gold)
        console.log(`${item.gold} -> ${predicted[i]} [${item.concept}] ${item.sentence.slice(0, 300)}`);
    });
  }
  return scoreNegation(
    items.map((i) => i.gold),
    predicted,
  );
}

function evaluateChexpert(path: string, system: System): NegationScores & { unmatched: number } {
  const gold: Label[] = [];
  const predicted: Label[] = [];
  let unmatched = 0;
  for (const report of loadChexpertLabels(path)) {
    unmatched += report.unmatched.length;
    const sentences = splitSentences(report.text);
    for (const finding of report.findings) {
      const statuses = finding.mentions.map((mention) => {
        const sentence = sentences.find((s) => s.start <= mention.start && mention.end <= s.end);
        if (!sentence) return system.judge(report.text, mention);
        return system.judge(sentence.text, {
          start: mention.start - sentence.start,
          end: mention.end - sentence.start,
        });
      });
      gold.push(finding.gold);
      predicted.push(combineMentions(statuses));
    }
  }
  return { ...scoreNegation(gold, predicted), unmatched };
}

function format(scores: NegationScores): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
  return `n=${String(scores.n).padStart(4)}  accuracy ${pct(scores.accuracy)}%  negated P ${pct(scores.negatedPrecision)}  R ${pct(scores.negatedRecall)}  F1 ${pct(scores.negatedF1)}`;
}

const negexDir = join(dataDir, 'reports', 'negex');
const chexpertFile = join(dataDir, 'reports', 'chexpert', 'labeled_reports.csv');
if (!existsSync(negexDir)) {
  console.error(`bench:tags: shared data not found at ${dataDir} (set MOSMOS_SHARED_DATA)`);
  process.exit(1);
}
const rules = loadNegexTriggers(join(negexDir, 'negex_triggers.txt'));
const items = loadNegexAnnotations(join(negexDir, 'annotations-reports-1-80.tsv'));
const splits: [string, AssertionItem[]][] = [
  ['dev', items.filter((i) => i.report <= 40)],
  ['held-out', items.filter((i) => i.report > 40)],
  ['all', items],
];
const all = systems(rules);
const datasets: [string, (system: System) => NegationScores & { unmatched?: number }][] = [
  ...splits.map(([split, subset]): [string, (system: System) => NegationScores] => [
    `negex-${split}`,
    (system) => evaluateNegex(subset, system, split),
  ]),
  ['chexpert', (system) => evaluateChexpert(chexpertFile, system)],
];
for (const [dataset, evaluate] of datasets) {
  const scores = Object.fromEntries(all.map((system) => [system.name, evaluate(system)]));
  if (json) {
    console.log(JSON.stringify({ dataset, ...scores }));
    continue;
  }
  for (const [name, score] of Object.entries(scores)) {
    const note = score.unmatched === undefined ? '' : `  (3-way; ${score.unmatched} label without a mention)`;
    console.log(`${dataset.padEnd(15)} ${name.padEnd(14)} ${format(score)}${note}`);
  }
}

import { escapeHtml } from './html-escape.js';
import { labelColorHex } from './label-colors.js';

/** One row of the ablation table (also the shape of `summary.json`'s `ablation` entries). */
export interface AblationRow {
  init: 'scratch' | 'contrastive' | 'mosmos';
  attentionMaps: boolean;
  labelFraction: number;
  meanDice: number;
  dice: Record<string, number>;
}

export interface ResultsPageFigure {
  title: string;
  caption?: string;
  /** PNG bytes, embedded as a data URI so the page is one self-contained file. */
  png: Uint8Array;
}

export interface ResultsPage {
  title: string;
  intro: string;
  ablation: AblationRow[];
  /** Inline SVG charts (training curves). */
  charts: string[];
  figures: ResultsPageFigure[];
  /** Label value → organ name, for the colour legend. */
  labels: Record<number, string>;
  /** Free-form facts shown as a definition list (timings, backend, data). */
  facts: Record<string, string>;
}

const settingName = (row: AblationRow) =>
  `${row.init === 'scratch' ? 'random init' : row.init === 'contrastive' ? 'contrastive only' : 'contrastive + MLR (MOSMOS)'}${row.attentionMaps ? ' + attention maps' : ''}`;

/** The self-contained report.html of a demo run: ablation table, curves, montages, attention maps. */
export function renderResultsPage(page: ResultsPage): string {
  const organs = [...new Set(page.ablation.flatMap((r) => Object.keys(r.dice)))];
  const best = Math.max(...page.ablation.map((r) => r.meanDice));
  const rows = page.ablation
    .map((row) => {
      const cells = organs
        .map((o) => `<td>${row.dice[o] === undefined ? '–' : row.dice[o]!.toFixed(3)}</td>`)
        .join('');
      const strong = row.meanDice === best ? ' class="best"' : '';
      return `<tr><td>${escapeHtml(settingName(row))}</td><td>${(row.labelFraction * 100).toFixed(0)} %</td><td${strong}>${row.meanDice.toFixed(3)}</td>${cells}</tr>`;
    })
    .join('\n');
  const legend = Object.entries(page.labels)
    .filter(([value]) => Number(value) > 0)
    .map(
      ([value, name]) =>
        `<span class="swatch"><i style="background:${labelColorHex(Number(value))}"></i>${escapeHtml(name)}</span>`,
    )
    .join(' ');
  const figures = page.figures
    .map(
      (f) =>
        `<figure><img alt="${escapeHtml(f.title)}" src="data:image/png;base64,${Buffer.from(f.png).toString('base64')}"><figcaption><b>${escapeHtml(f.title)}</b>${f.caption ? ` — ${escapeHtml(f.caption)}` : ''}</figcaption></figure>`,
    )
    .join('\n');
  const facts = Object.entries(page.facts)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}.best{font-weight:bold;background:#e6f4e6}
figure{display:inline-block;margin:8px;vertical-align:top}figure img{image-rendering:pixelated;max-width:100%}
figcaption{font-size:13px;max-width:520px}.swatch{display:inline-block;margin-right:10px;font-size:13px}
.swatch i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
dt{font-weight:bold;float:left;clear:left;width:180px}dd{margin-left:190px}
</style></head><body>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.intro)}</p>
<h2>Ablation: mean Dice on held-out cases</h2>
<table><tr><th>setting</th><th>labels used</th><th>mean Dice</th>${organs.map((o) => `<th>${escapeHtml(o)}</th>`).join('')}</tr>
${rows}
</table>
<h2>Training curves</h2>
${page.charts.join('\n')}
<h2>Segmentations and attention maps</h2>
<p>${legend}</p>
${figures}
<h2>Run</h2><dl>${facts}</dl>
</body></html>
`;
}

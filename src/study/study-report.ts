/**
 * The study's report.html: the table of mean ± sd with paired differences and their 95 % intervals,
 * the Dice-vs-labelled-cases plot, the maps' pointing/AUROC, and the pixel-tag maps of all organs of
 * one evaluation case from the MOSMOS + maps pre-training (seed 0), each on a slice through its organ.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { encodePng, type RgbaImage } from '../io/png.js';
import { readVolume } from '../io/read-volume.js';
import { escapeHtml } from '../render/html-escape.js';
import { renderAxialSlice, representativeSlices, tileImages } from '../render/slice-montage.js';
import { type ChartSeries, lineChartSvg } from '../render/svg-chart.js';
import { attentionFileName, exportAttention } from '../train/export-attention.js';
import { reorientToRas } from '../volume/orientation.js';
import type { StudyResult, StudyRow } from './study.js';

const COLORS: Record<string, string> = {
  scratch: '#888888',
  contrastive: '#1f77b4',
  'contrastive+mlr': '#9467bd',
  'mosmos+maps': '#d62728',
  'scratch+random-maps': '#2ca02c',
};

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const interval = (d: StudyRow['vsScratch']) =>
  d ? `${d.mean >= 0 ? '+' : ''}${fmt(d.mean)} [${fmt(d.ci95[0])}, ${fmt(d.ci95[1])}]` : '–';

/** The maps of every organ present in `caseIndex`'s label, one tile per organ (PNG bytes). */
async function organMaps(
  out: string,
  dataset: Dataset,
  mapsRun: string,
  caseId: string,
): Promise<Uint8Array | null> {
  const item = dataset.cases.find((c) => c.id === caseId);
  if (!item?.label) return null;
  const dir = join(out, 'attention', `case${caseId}`);
  await exportAttention(item.images[0]!, mapsRun, dir, { force: true });
  const image = reorientToRas(await readVolume(item.images[0]!));
  const truth = reorientToRas(await readVolume(item.label));
  const scale = Math.max(1, Math.round(128 / image.dims[0]!));
  const tiles: RgbaImage[] = [];
  for (const [value, organ] of Object.entries(dataset.labels)) {
    if (Number(value) === 0 || !truth.data.includes(Number(value))) continue;
    const file = join(dir, attentionFileName(organ));
    if (!existsSync(file)) continue; // a label that is not a tag of the run
    const map = reorientToRas(await readVolume(file));
    const slice = representativeSlices(
      { ...truth, data: truth.data.map((v) => (v === Number(value) ? 1 : 0)) },
      1,
    )[0]!;
    tiles.push(renderAxialSlice(image, slice, { window: [-160, 240], heat: map.data, scale }));
  }
  return tiles.length > 0 ? encodePng(tileImages(tiles, 5, 4)) : null;
}

export async function writeStudyReport(
  out: string,
  result: StudyResult,
  context: { dataset: Dataset; mapsRun?: string; trainCases: number },
): Promise<void> {
  const xOf = (l: number | 'all') => (l === 'all' ? context.trainCases : l);
  const bySetting = new Map<string, StudyRow[]>();
  for (const r of result.rows) bySetting.set(r.setting, [...(bySetting.get(r.setting) ?? []), r]);
  const series: ChartSeries[] = [...bySetting].map(([setting, rows]) => ({
    name: setting,
    points: rows.map((r) => [xOf(r.labelledCases), r.mean] as [number, number]).sort((a, b) => a[0] - b[0]),
    color: COLORS[setting] ?? '#000000',
  }));
  const chart = lineChartSvg(series, {
    title: 'Mean Dice vs labelled cases (mean over seeds)',
    xLabel: 'labelled cases',
    yLabel: 'mean Dice',
    width: 560,
  });
  const rows = result.rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.setting)}</td><td>${r.labelledCases}</td><td>${r.seeds.length}</td><td>${fmt(r.mean)} ± ${fmt(r.sd)}</td><td>${interval(r.vsScratch)}</td><td>${interval(r.vsRandomMaps)}</td></tr>`,
    )
    .join('\n');
  const maps = result.maps
    .map((m) => `<li>seed ${m.seed}: pointing game ${fmt(m.pointing)}, AUROC ${fmt(m.auroc)}</li>`)
    .join('');
  let figure = '';
  if (context.mapsRun && result.evaluationCases[0]) {
    const png = await organMaps(out, context.dataset, context.mapsRun, result.evaluationCases[0]);
    if (png) {
      mkdirSync(join(out, 'figures'), { recursive: true });
      writeFileAtomic(join(out, 'figures', 'attention-maps.png'), png, { force: true });
      figure = `<figure><img alt="attention maps" src="data:image/png;base64,${Buffer.from(png).toString('base64')}"><figcaption>Pixel-tag attention maps (finest stage) of every organ in evaluation case ${escapeHtml(result.evaluationCases[0])}, from report pre-training alone (seed 0), each on a slice through that organ (organs in label order).</figcaption></figure>`;
    }
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mosmos study</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
td:first-child{text-align:left}figure img{image-rendering:pixelated;max-width:100%}</style></head><body>
<h1>Label-efficiency study</h1>
<p>${result.evaluationCases.length} evaluation cases (${escapeHtml(result.evaluationCases.join(', '))}); pre-training pool of ${result.poolSize} image–report pairs. Differences are paired over seeds (same labelled cases and seed), with 95 % t-intervals.</p>
<table><tr><th>setting</th><th>labelled cases</th><th>seeds</th><th>mean Dice ± sd</th><th>vs scratch</th><th>vs scratch + random maps</th></tr>
${rows}
</table>
${chart}
<h2>Attention maps before fine-tuning (MOSMOS + maps)</h2>
<ul>${maps}</ul>
${figure}
</body></html>
`;
  writeFileAtomic(join(out, 'report.html'), html, { force: true });
}

/** The pictures and page of a demo run: montages, attention maps, training curves, report.html. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { encodePng, type RgbaImage } from '../io/png.js';
import { readVolume } from '../io/read-volume.js';
import { BTCV_LABEL_NAMES } from '../phantom/index.js';
import { type ResultsPageFigure, renderResultsPage } from '../render/results-page.js';
import { renderAxialSlice, representativeSlices, tileImages } from '../render/slice-montage.js';
import type { ChartSeries } from '../render/svg-chart.js';
import { lineChartSvg } from '../render/svg-chart.js';
import { attentionFileName, exportAttention } from '../train/export-attention.js';
import { readMetrics } from '../train/run-record.js';
import { reorientToRas } from '../volume/orientation.js';
import type { Volume } from '../volume/volume.js';
import type { DemoSetting, DemoSummary } from './run-demo.js';

const SOFT_TISSUE: [number, number] = [-160, 240];
const COLORS = ['#888888', '#1f77b4', '#9467bd', '#d62728', '#2ca02c'];
/** Organs whose attention maps the report shows: all of them, each on a slice through the organ. */
const ATTENTION_ORGANS = Object.values(BTCV_LABEL_NAMES);

function settingLabel(setting: DemoSetting): string {
  const init = { scratch: 'random init', contrastive: 'contrastive', mosmos: 'MOSMOS' }[setting.init];
  return setting.attentionMaps ? `${init} + attention maps` : init;
}

/** Mean of consecutive groups of `size` values: readable curves from noisy per-step losses. */
function smooth(points: [number, number][], size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += size) {
    const group = points.slice(i, i + size);
    out.push([group.at(-1)![0], group.reduce((s, p) => s + p[1], 0) / group.length]);
  }
  return out;
}

function stepLosses(runDir: string): [number, number][] {
  return readMetrics(runDir)
    .filter((r) => r.type === 'step' && typeof r.loss === 'number')
    .map((r) => [r.step as number, r.loss as number]);
}

function montageRow(
  image: Volume,
  slices: number[],
  style: Parameters<typeof renderAxialSlice>[2],
): RgbaImage {
  return tileImages(
    slices.map((k) => renderAxialSlice(image, k, style)),
    slices.length,
    2,
  );
}

/** Writes figures/*.png and report.html for a finished demo run. */
export async function writeDemoReport(
  out: string,
  summary: DemoSummary,
  context: { dataset: Dataset; pretrainRun: string; settings: DemoSetting[] },
): Promise<void> {
  const figuresDir = join(out, 'figures');
  mkdirSync(figuresDir, { recursive: true });
  const figures: ResultsPageFigure[] = [];
  const addFigure = (file: string, title: string, caption: string, image: RgbaImage) => {
    const png = encodePng(image);
    writeFileAtomic(join(figuresDir, file), png, { force: true });
    figures.push({ title, caption, png });
  };

  const caseId = summary.validationCases[0];
  const item = context.dataset.cases.find((c) => c.id === caseId);
  if (item?.label) {
    const image = reorientToRas(await readVolume(item.images[0]!));
    const truth = reorientToRas(await readVolume(item.label));
    const scale = Math.max(1, Math.round(160 / image.dims[0]!));
    const slices = representativeSlices(truth, 4);
    const rows = [montageRow(image, slices, { window: SOFT_TISSUE, labels: truth, scale })];
    const names = ['ground truth'];
    for (const setting of context.settings) {
      const pred = reorientToRas(
        await readVolume(join(out, 'predictions', setting.key, `pred${caseId}.nii.gz`)),
      );
      rows.push(montageRow(image, slices, { window: SOFT_TISSUE, labels: pred, scale }));
      names.push(settingLabel(setting));
    }
    addFigure(
      `segmentations_${caseId}.png`,
      `Held-out case ${caseId}: axial slices`,
      `rows, top to bottom: ${names.join('; ')}`,
      tileImages(rows, 1, 4),
    );

    const attentionDir = join(out, 'attention', `case${caseId}`);
    await exportAttention(item.images[0]!, context.pretrainRun, attentionDir, { force: true, log: () => {} });
    const maps: RgbaImage[] = [];
    const shown: string[] = [];
    for (const organ of ATTENTION_ORGANS) {
      const value = Number(Object.entries(BTCV_LABEL_NAMES).find(([, n]) => n === organ)?.[0]);
      const map = reorientToRas(await readVolume(join(attentionDir, attentionFileName(organ))));
      const organSlices = representativeSlices(
        { ...truth, data: truth.data.map((v) => (v === value ? 1 : 0)) },
        1,
      );
      maps.push(renderAxialSlice(image, organSlices[0]!, { window: SOFT_TISSUE, heat: map.data, scale }));
      shown.push(organ);
    }
    addFigure(
      `attention_${caseId}.png`,
      'Pixel-tag attention maps of the report-pre-trained encoder',
      `left to right: ${shown.join(', ')} (each on a slice through that organ; no pixel labels were used to learn them)`,
      tileImages(maps, 5, 4),
    );
  }

  const finetuneCurves: ChartSeries[] = summary.ablation.map((row, n) => ({
    name: settingLabel({ key: '', init: row.init, attentionMaps: row.attentionMaps }),
    points: smooth(stepLosses(row.run), 6),
    color: COLORS[(n + 1) % COLORS.length]!,
  }));
  const pretrainCurves: ChartSeries[] = ['contrastive', 'mosmos'].map((name, n) => ({
    name: name === 'mosmos' ? 'contrastive + MLR' : 'contrastive only',
    points: smooth(stepLosses(join(out, 'runs', `pretrain-${name}`)), 4),
    color: COLORS[n + 2]!,
  }));
  const tagMap: ChartSeries = {
    name: 'tag mAP (contrastive + MLR)',
    points: readMetrics(join(out, 'runs', 'pretrain-mosmos'))
      .filter((r) => r.type === 'epoch' && typeof r.tagMap === 'number')
      .map((r) => [r.epoch as number, r.tagMap as number]),
    color: COLORS[4]!,
  };
  const charts = [
    lineChartSvg(pretrainCurves, { title: 'Pre-training loss', xLabel: 'step', yLabel: 'loss' }),
    lineChartSvg([tagMap], { title: 'Pre-training: validation tag mAP', xLabel: 'epoch', yLabel: 'mAP' }),
    lineChartSvg(finetuneCurves, { title: 'Fine-tuning loss (Dice + CE)', xLabel: 'step', yLabel: 'loss' }),
  ];

  const html = renderResultsPage({
    title: 'mosmos demo: reports make segmentation need fewer labels',
    intro:
      `Synthetic abdominal CTs with reports generated from their label maps. The image encoder was pre-trained on ` +
      `image–report pairs only, then a 2D U-Net was fine-tuned with ${(summary.plan.labelFraction * 100).toFixed(0)} % ` +
      `of the pixel labels from each initialisation and evaluated on ${summary.validationCases.length} held-out cases.`,
    ablation: summary.ablation,
    charts,
    figures,
    labels: BTCV_LABEL_NAMES,
    facts: {
      'mosmos version': summary.version,
      cases: `${summary.plan.cases} (${summary.validationCases.length} held out: ${summary.validationCases.join(', ')})`,
      'volume size': summary.plan.size.join(' × '),
      'pre-training': `${summary.plan.pretrainEpochs} epochs`,
      'fine-tuning': `${summary.plan.finetuneEpochs} epochs × ${summary.plan.finetuneSteps} steps`,
    },
  });
  writeFileAtomic(join(out, 'report.html'), html, { force: true });
}

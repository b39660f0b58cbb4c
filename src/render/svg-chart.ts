import { escapeHtml } from './html-escape.js';

/** One named series of (x, y) points for a line chart. */
export interface ChartSeries {
  name: string;
  points: [number, number][];
  color: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

/** A self-contained SVG line chart (axes, ticks, legend) for training curves in report.html. */
export function lineChartSvg(series: ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 420;
  const height = options.height ?? 260;
  const margin = { left: 52, right: 12, top: 28, bottom: 40 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  let yMin = Math.min(...ys, 0);
  let yMax = Math.max(...ys, 1e-6);
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 1, yMax + 1];
  const px = (x: number) =>
    margin.left + ((x - xMin) / (xMax - xMin || 1)) * (width - margin.left - margin.right);
  const py = (y: number) =>
    height - margin.bottom - ((y - yMin) / (yMax - yMin)) * (height - margin.top - margin.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${escapeHtml(options.title)}</text>`,
    `<line x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="#444"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="#444"/>`,
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
    `<text x="12" y="${height / 2}" text-anchor="middle" transform="rotate(-90 12 ${height / 2})">${escapeHtml(options.yLabel)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const y = yMin + ((yMax - yMin) * t) / 4;
    parts.push(
      `<text x="${margin.left - 4}" y="${py(y) + 4}" text-anchor="end">${y.toPrecision(3)}</text>`,
      `<line x1="${margin.left}" y1="${py(y)}" x2="${width - margin.right}" y2="${py(y)}" stroke="#ddd"/>`,
    );
    const x = xMin + ((xMax - xMin) * t) / 4;
    parts.push(
      `<text x="${px(x)}" y="${height - margin.bottom + 14}" text-anchor="middle">${Number(x.toPrecision(3))}</text>`,
    );
  }
  series.forEach((s, n) => {
    const path = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    const ly = margin.top + 4 + n * 14;
    parts.push(
      `<rect x="${width - margin.right - 150}" y="${ly - 8}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${width - margin.right - 136}" y="${ly + 1}">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

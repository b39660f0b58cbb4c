// The viewer's single HTML page: niivue on a canvas, and a side panel with the legend, overlay opacity,
// the organ under the cursor and the attention-map switch. Everything it loads comes from the local
// server (niivue's own bundle included), so it works offline.
import type { LabelEntry } from './labels.js';

/** A volume the page loads, by the URL the server gives it. */
export interface PageVolume {
  url: string;
  name: string;
}

export interface ViewerPageConfig {
  title: string;
  volume: PageVolume & {
    /** Display window [min, max] in the volume's units, e.g. an abdominal CT window. */
    window?: [number, number];
  };
  seg?: PageVolume & { legend: LabelEntry[]; centroids: Record<number, [number, number, number]> };
  attention: (PageVolume & { tag: string })[];
  /** URL of niivue's ES module bundle. */
  niivue: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The HTML page for a viewer configuration. */
export function viewerPage(config: ViewerPageConfig): string {
  // JSON inside <script> must not close the element: escape "<".
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(config.title)} — mosmos view</title>
<style>${STYLE}</style>
</head>
<body>
<main id="viewport"><canvas id="gl"></canvas></main>
<aside>
  <h1 title="${escapeHtml(config.title)}">${escapeHtml(config.title)}</h1>
  <label>View
    <select id="layout">
      <option value="3">multiplanar</option><option value="0">axial</option>
      <option value="1">coronal</option><option value="2">sagittal</option><option value="4">3D render</option>
    </select>
  </label>
  <section id="overlay-panel" hidden>
    <h2>Segmentation</h2>
    <label>Opacity <input id="opacity" type="range" min="0" max="1" step="0.05" value="0.5"></label>
    <ul id="legend"></ul>
  </section>
  <section id="attention-panel" hidden>
    <h2>Attention maps</h2>
    <div id="attention" role="radiogroup"></div>
  </section>
  <section>
    <h2>At the cursor</h2>
    <p id="picked">Click the image to see the organ there.</p>
  </section>
  <p id="status" role="status">Loading…</p>
</aside>
<script type="application/json" id="config">${json}</script>
<script type="module">${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: dark; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0; display: flex; height: 100vh; background: #111; color: #ddd; }
#viewport { flex: 1; min-width: 0; position: relative; }
#gl { position: absolute; inset: 0; width: 100%; height: 100%; }
aside { width: 270px; padding: 12px; overflow-y: auto; background: #1b1b1b; border-left: 1px solid #333; }
h1 { font-size: 15px; margin: 0 0 10px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
h2 { font-size: 13px; margin: 16px 0 6px; color: #aaa; text-transform: uppercase; letter-spacing: .04em; }
label { display: flex; gap: 8px; align-items: center; justify-content: space-between; }
input[type=range] { flex: 1; }
ul { list-style: none; padding: 0; margin: 8px 0 0; }
#legend li { display: flex; align-items: center; gap: 8px; padding: 2px 4px; cursor: pointer; border-radius: 3px; }
#legend li:hover, #legend li.active { background: #2c2c2c; }
.swatch { width: 14px; height: 14px; border-radius: 3px; flex: none; }
#attention label { justify-content: flex-start; }
#status { color: #888; font-size: 12px; }
#status[data-error] { color: #f77; }
`;

// Runs in the browser. Kept as plain JavaScript: it is served as is, with no build step.
const SCRIPT = `
import { Niivue } from '/niivue.js';
const config = JSON.parse(document.getElementById('config').textContent);
const status = document.getElementById('status');
const fail = (message) => {
  status.textContent = message;
  status.dataset.error = '';
  document.documentElement.dataset.state = 'error';
};
try {
  // Radiological convention (the patient's right on the screen's left), as CT is read.
  const nv = new Niivue({
    backColor: [0, 0, 0, 1], show3Dcrosshair: true, dragAndDropEnabled: false, isResizeCanvas: true,
    isRadiologicalConvention: true, crosshairWidth: 1, crosshairColor: [1, 0.25, 0.25, 0.8],
  });
  window.mosmosViewer = { nv, config };
  await nv.attachTo('gl');
  const volumes = [{ url: config.volume.url, name: config.volume.name }];
  if (config.seg) volumes.push({ url: config.seg.url, name: config.seg.name, opacity: 0.5 });
  for (const map of config.attention) volumes.push({ url: map.url, name: map.name, colormap: 'warm', opacity: 0 });
  await nv.loadVolumes(volumes);
  const image = nv.volumes[0];
  if (config.volume.window) {
    image.cal_min = config.volume.window[0];
    image.cal_max = config.volume.window[1];
  }
  const names = new Map();
  if (config.seg) {
    const seg = nv.volumes[1];
    const entries = [{ value: 0, name: 'background', color: [0, 0, 0] }, ...config.seg.legend];
    const labels = [];
    for (const e of entries) labels[e.value] = e.name;
    seg.setColormapLabel({
      R: entries.map((e) => e.color[0]), G: entries.map((e) => e.color[1]), B: entries.map((e) => e.color[2]),
      A: entries.map((e) => (e.value === 0 ? 0 : 255)), I: entries.map((e) => e.value),
      labels: Array.from(labels, (l) => l ?? ''),
    });
    const legend = document.getElementById('legend');
    for (const e of config.seg.legend) {
      names.set(e.value, e.name);
      const item = document.createElement('li');
      item.dataset.label = String(e.value);
      item.title = 'Go to the ' + e.name;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = 'rgb(' + e.color.join(',') + ')';
      const text = document.createElement('span');
      text.textContent = e.name;
      item.append(swatch, text);
      item.addEventListener('click', () => {
        const mm = config.seg.centroids[e.value];
        if (!mm) return;
        nv.scene.crosshairPos = nv.mm2frac(mm);
        nv.createOnLocationChange();
        nv.drawScene();
      });
      legend.append(item);
    }
    const opacity = document.getElementById('opacity');
    opacity.addEventListener('input', () => nv.setOpacity(1, Number(opacity.value)));
    document.getElementById('overlay-panel').hidden = false;
  }
  // Index (in nv.volumes) of the attention map on show, -1 for none.
  let shownMap = -1;
  if (config.attention.length > 0) {
    const group = document.getElementById('attention');
    const first = config.seg ? 2 : 1;
    const choices = [{ tag: 'none' }, ...config.attention];
    choices.forEach((choice, i) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'attention';
      input.value = choice.tag;
      input.checked = i === 0;
      input.addEventListener('change', () => {
        config.attention.forEach((_, j) => nv.setOpacity(first + j, j === i - 1 ? 0.7 : 0));
        shownMap = i === 0 ? -1 : first + i - 1;
      });
      label.append(input, ' ' + choice.tag);
      group.append(label);
    });
    document.getElementById('attention-panel').hidden = false;
  }
  const picked = document.getElementById('picked');
  const legendItems = () => document.querySelectorAll('#legend li');
  nv.onLocationChange = (data) => {
    const values = data.values ?? [];
    const hu = values[0] ? Math.round(values[0].value * 10) / 10 : undefined;
    const label = config.seg && values[1] ? Math.round(values[1].value) : undefined;
    const organ = label === undefined ? '' : label === 0 ? 'background' : (names.get(label) ?? 'label ' + label);
    const mm = data.mm ? Array.from(data.mm.slice(0, 3), (v) => v.toFixed(1)).join(', ') : '';
    const attention = shownMap >= 0 && values[shownMap] ? ' · attention ' + values[shownMap].value.toFixed(2) : '';
    picked.textContent = (organ ? organ + ' · ' : '') + 'value ' + hu + attention + (mm ? ' · ' + mm + ' mm' : '');
    picked.dataset.label = label === undefined ? '' : String(label);
    for (const item of legendItems()) item.classList.toggle('active', item.dataset.label === String(label));
  };
  const layout = document.getElementById('layout');
  layout.addEventListener('change', () => nv.setSliceType(Number(layout.value)));
  nv.updateGLVolume();
  status.textContent = 'Click or drag in the image; scroll to move through slices.';
  document.documentElement.dataset.state = 'ready';
} catch (error) {
  fail('Could not show the volume: ' + (error && error.message ? error.message : error) +
    (String(error).includes('WebGL') ? ' (this page needs WebGL2)' : ''));
}
`;

import type { RgbaImage } from '../io/png.js';
import type { Volume } from '../volume/volume.js';
import { labelColor } from './label-colors.js';

export interface SliceStyle {
  /** Intensity window mapped to black…white, e.g. [-160, 240] HU for abdominal soft tissue. */
  window: [number, number];
  /** Label map on the same grid, blended over the image. */
  labels?: Volume;
  /** Opacity of the label colours. */
  labelAlpha?: number;
  /** A [0, 1] map on the same grid (e.g. one pixel-tag attention map) shown as a heat overlay. */
  heat?: ArrayLike<number>;
  /** Integer magnification (nearest neighbour) so small volumes are visible. */
  scale?: number;
}

/**
 * Renders axial slice `k` of a volume stored in RAS order in radiological convention: the patient's
 * right on the viewer's left, anterior at the top (as every PACS shows an axial CT).
 */
export function renderAxialSlice(volume: Volume, k: number, style: SliceStyle): RgbaImage {
  const [nx, ny] = volume.dims as [number, number, number];
  const scale = style.scale ?? 1;
  const width = nx * scale;
  const height = ny * scale;
  const out = new Uint8Array(width * height * 4);
  const [lo, hi] = style.window;
  const alpha = style.labelAlpha ?? 0.45;
  const sliceOffset = k * nx * ny;
  for (let row = 0; row < height; row++) {
    const j = ny - 1 - Math.floor(row / scale);
    for (let col = 0; col < width; col++) {
      const i = nx - 1 - Math.floor(col / scale);
      const v = sliceOffset + j * nx + i;
      const grey = Math.max(0, Math.min(1, (volume.data[v]! - lo) / (hi - lo))) * 255;
      let r = grey;
      let g = grey;
      let b = grey;
      const label = style.labels ? style.labels.data[v]! : 0;
      if (label > 0) {
        const [lr, lg, lb] = labelColor(label);
        r = r * (1 - alpha) + lr * alpha;
        g = g * (1 - alpha) + lg * alpha;
        b = b * (1 - alpha) + lb * alpha;
      }
      if (style.heat) {
        const h = Math.max(0, Math.min(1, style.heat[v]!));
        // A black-body ramp (dark red → yellow) blended in proportion to the map's value.
        r = r * (1 - h) + 255 * h;
        g = g * (1 - h) + 255 * Math.max(0, 2 * h - 1) * h;
        b = b * (1 - h);
      }
      const o = (row * width + col) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Tiles equally sized images left to right, top to bottom, with a dark gap between them. */
export function tileImages(images: RgbaImage[], columns: number, gap = 4): RgbaImage {
  if (images.length === 0) throw new Error('tileImages: no images');
  const { width: w, height: h } = images[0]!;
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = 24;
    data[p * 4 + 1] = 24;
    data[p * 4 + 2] = 28;
    data[p * 4 + 3] = 255;
  }
  images.forEach((image, n) => {
    const x0 = gap + (n % columns) * (w + gap);
    const y0 = gap + Math.floor(n / columns) * (h + gap);
    for (let y = 0; y < Math.min(h, image.height); y++) {
      const src = image.data.subarray(y * image.width * 4, (y * image.width + Math.min(w, image.width)) * 4);
      data.set(src, ((y0 + y) * width + x0) * 4);
    }
  });
  return { width, height, data };
}

/** Evenly spaced axial slice indices through the labelled part of a label map (or the whole volume). */
export function representativeSlices(labels: Volume, count: number): number[] {
  const [nx, ny, nz] = labels.dims as [number, number, number];
  let first = -1;
  let last = -1;
  for (let k = 0; k < nz; k++) {
    const slice = labels.data.subarray(k * nx * ny, (k + 1) * nx * ny);
    if (slice.some((v) => v > 0)) {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first < 0) [first, last] = [0, nz - 1];
  return Array.from({ length: count }, (_, n) =>
    Math.round(first + ((n + 1) * (last - first)) / (count + 1)),
  );
}

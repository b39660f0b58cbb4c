// A contact sheet of a grown cohort: for each case, axial slices through the liver, the kidneys and
// the pelvis (image alone and with labels), padded to one size, so a reader can judge at a glance
// whether the variants look like CTs of different people.
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readNifti } from '../io/nifti/index.js';
import { encodePng, type RgbaImage } from '../io/png.js';
import { renderAxialSlice, tileImages } from '../render/slice-montage.js';
import { reorientToRas } from '../volume/orientation.js';
import type { Volume } from '../volume/volume.js';

/** Pads or crops an image to width × height around its centre (dark background). */
function fit(image: RgbaImage, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4).fill(0);
  for (let p = 3; p < data.length; p += 4) data[p] = 255;
  const dx = Math.floor((width - image.width) / 2);
  const dy = Math.floor((height - image.height) / 2);
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      if (sx < 0 || sx >= image.width) continue;
      data.set(
        image.data.subarray((sy * image.width + sx) * 4, (sy * image.width + sx) * 4 + 4),
        (y * width + x) * 4,
      );
    }
  }
  return { width, height, data };
}

/** The slice index nearest the centroid of `value` in the label map, or the middle slice. */
function centroidSlice(labels: Volume, value: number): number {
  const [nx, ny, nz] = labels.dims as [number, number, number];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < labels.data.length; i++)
    if (labels.data[i] === value) {
      sum += Math.floor(i / (nx * ny));
      count++;
    }
  return count > 0 ? Math.round(sum / count) : Math.floor(nz / 2);
}

/**
 * Writes `montage.png` in `dir` for the cases given by id: per case, a liver-level slice without and
 * with labels and a kidney-level slice with labels, each shown at 1 px per `mmPerPixel`.
 */
export async function writeCohortMontage(dir: string, ids: string[], out: string, size = 220): Promise<void> {
  const tiles: RgbaImage[] = [];
  for (const id of ids) {
    const image = reorientToRas(await readNifti(join(dir, 'img', `img${id}.nii.gz`)));
    const labels = reorientToRas(await readNifti(join(dir, 'label', `label${id}.nii.gz`)));
    const liver = centroidSlice(labels, 6);
    const kidney = centroidSlice(labels, 2);
    const window: [number, number] = [-160, 240];
    tiles.push(fit(renderAxialSlice(image, liver, { window }), size, size));
    tiles.push(fit(renderAxialSlice(image, liver, { window, labels, labelAlpha: 0.35 }), size, size));
    tiles.push(fit(renderAxialSlice(image, kidney, { window }), size, size));
  }
  writeFileAtomic(out, encodePng(tileImages(tiles, 6)), { force: true });
}

// Builds small synthetic dataset folders in a temp dir, with the exact file names and layouts of
// the real downloads (BTCV, AMOS, MM-WHS, BraTS, MSD, nnU-Net v2), for the data adapter and
// `data check` tests. Volumes are tiny (6×5×4) so a whole dataset is written in milliseconds.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeNifti } from '../src/io/nifti/index.js';
import type { DataType, Volume, VoxelArray } from '../src/volume/volume.js';

export const FIXTURE_DIMS = [6, 5, 4];

/** A fresh temp folder. */
export function tempDir(prefix = 'mosmos-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A 6×5×4 volume at `spacing` mm whose voxel i holds `value(i)`. */
export function fixtureVolume(
  value: (i: number) => number,
  options: { datatype?: DataType; spacing?: [number, number, number]; dims?: number[] } = {},
): Volume {
  const dims = options.dims ?? FIXTURE_DIMS;
  const count = dims.reduce((a, b) => a * b, 1);
  const datatype = options.datatype ?? 'int16';
  const spacing = options.spacing ?? [0.8, 0.8, 2.5];
  const data: VoxelArray =
    datatype === 'float32'
      ? new Float32Array(count)
      : datatype === 'uint8'
        ? new Uint8Array(count)
        : new Int16Array(count);
  for (let i = 0; i < count; i++) data[i] = value(i);
  const affine = [
    [-spacing[0], 0, 0, 10],
    [0, -spacing[1], 0, 20],
    [0, 0, spacing[2], -30],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing, affine, datatype };
}

/** A CT-like image: a smooth ramp in HU. */
export function fixtureImage(options: { spacing?: [number, number, number]; dims?: number[] } = {}): Volume {
  return fixtureVolume((i) => -1000 + ((i * 37) % 1400), options);
}

/** A label map using `values` (cycled over the voxels, with background runs). */
export function fixtureLabel(values: number[], options: { spacing?: [number, number, number] } = {}): Volume {
  return fixtureVolume((i) => (i % 3 === 0 ? 0 : values[i % values.length]!), {
    ...options,
    datatype: 'int16',
  });
}

/** Writes a volume, creating its folder. */
export async function writeFixture(path: string, volume: Volume): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await writeNifti(path, volume);
}

/** BTCV: img/imgNNNN.nii.gz + label/labelNNNN.nii.gz (optionally under RawData/Training). */
export async function makeBtcv(
  root: string,
  ids: number[],
  options: { nested?: boolean } = {},
): Promise<string> {
  const base = options.nested ? join(root, 'RawData', 'Training') : root;
  for (const id of ids) {
    const n = String(id).padStart(4, '0');
    await writeFixture(join(base, 'img', `img${n}.nii.gz`), fixtureImage());
    await writeFixture(join(base, 'label', `label${n}.nii.gz`), fixtureLabel([1, 6, 11, 13]));
  }
  return root;
}

/** AMOS: imagesTr/labelsTr, imagesVa/labelsVa, imagesTs and a dataset.json listing them. */
export async function makeAmos(
  root: string,
  train: number[],
  validation: number[],
  test: number[],
): Promise<string> {
  const name = (id: number) => `amos_${String(id).padStart(4, '0')}.nii.gz`;
  const json = { name: 'AMOS', training: [] as object[], validation: [] as object[], test: [] as object[] };
  for (const [list, images, labels, key] of [
    [train, 'imagesTr', 'labelsTr', 'training'],
    [validation, 'imagesVa', 'labelsVa', 'validation'],
  ] as const) {
    for (const id of list) {
      await writeFixture(join(root, images, name(id)), fixtureImage());
      await writeFixture(join(root, labels, name(id)), fixtureLabel([1, 6, 13, 15]));
      json[key].push({ image: `./${images}/${name(id)}`, label: `./${labels}/${name(id)}` });
    }
  }
  for (const id of test) {
    await writeFixture(join(root, 'imagesTs', name(id)), fixtureImage());
    json.test.push({ image: `./imagesTs/${name(id)}` });
  }
  writeFileSync(join(root, 'dataset.json'), JSON.stringify(json, null, 2));
  return root;
}

/** MM-WHS: ct_train/ct_train_NNNN_image.nii.gz + _label with the raw values 205 … 850. */
export async function makeMmwhs(root: string, ct: number[], mr: number[]): Promise<string> {
  for (const [modality, ids] of [
    ['ct', ct],
    ['mr', mr],
  ] as const) {
    for (const id of ids) {
      const stem = join(root, `${modality}_train`, `${modality}_train_${id}`);
      await writeFixture(`${stem}_image.nii.gz`, fixtureImage());
      await writeFixture(`${stem}_label.nii.gz`, fixtureLabel([205, 420, 500, 550, 600, 820, 850]));
    }
  }
  return root;
}

/** BraTS 2021: BraTS2021_NNNNN/BraTS2021_NNNNN_{t1,t1ce,t2,flair,seg}.nii.gz. */
export async function makeBrats(root: string, ids: string[]): Promise<string> {
  for (const id of ids) {
    for (const suffix of ['t1', 't1ce', 't2', 'flair']) {
      await writeFixture(
        join(root, id, `${id}_${suffix}.nii.gz`),
        fixtureVolume((i) => (i * 13) % 900),
      );
    }
    await writeFixture(join(root, id, `${id}_seg.nii.gz`), fixtureLabel([1, 2, 4]));
  }
  return root;
}

/** MSD: dataset.json with "training" [{image, label}], labels {"0": "background", …}, 3D images. */
export async function makeMsd(root: string, ids: number[]): Promise<string> {
  const training = [];
  for (const id of ids) {
    await writeFixture(join(root, 'imagesTr', `spleen_${id}.nii.gz`), fixtureImage());
    await writeFixture(join(root, 'labelsTr', `spleen_${id}.nii.gz`), fixtureLabel([1]));
    training.push({ image: `./imagesTr/spleen_${id}.nii.gz`, label: `./labelsTr/spleen_${id}.nii.gz` });
  }
  await writeFixture(join(root, 'imagesTs', 'spleen_99.nii.gz'), fixtureImage());
  const json = {
    name: 'Spleen',
    modality: { 0: 'CT' },
    labels: { 0: 'background', 1: 'spleen' },
    numTraining: ids.length,
    training,
    test: ['./imagesTs/spleen_99.nii.gz'],
  };
  writeFileSync(join(root, 'dataset.json'), JSON.stringify(json, null, 2));
  return root;
}

/** nnU-Net v2: dataset.json with channel_names / labels {name: id} / file_ending, per-channel files. */
export async function makeNnunetV2(root: string, ids: string[]): Promise<string> {
  for (const id of ids) {
    await writeFixture(join(root, 'imagesTr', `${id}_0000.nii.gz`), fixtureImage());
    await writeFixture(join(root, 'imagesTr', `${id}_0001.nii.gz`), fixtureImage());
    await writeFixture(join(root, 'labelsTr', `${id}.nii.gz`), fixtureLabel([1, 2]));
  }
  const json = {
    channel_names: { 0: 'T2', 1: 'ADC' },
    labels: { background: 0, PZ: 1, TZ: 2 },
    numTraining: ids.length,
    file_ending: '.nii.gz',
  };
  writeFileSync(join(root, 'dataset.json'), JSON.stringify(json, null, 2));
  return root;
}

/**
 * `mosmos pretrain --export-attention`: the pixel-tag attention maps of one volume from a pre-trained
 * run, one NIfTI per tag on the input's exact grid, so a user can see what the encoder learned.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessVolume } from '../data/preprocess.js';
import { cropPatch } from '../data/slice-sampler.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import { interpolate, noGrad, tensor, tidy } from '../engine/index.js';
import { fileError } from '../errors.js';
import { assertWritable } from '../files/atomic-write.js';
import { writeNifti } from '../io/nifti/index.js';
import { readVolume } from '../io/read-volume.js';
import type { MosmosModel } from '../nn/mosmos-model.js';
import { pixelTagAttention } from '../nn/pixel-tag-attention.js';
import { getVocabulary } from '../report/vocabularies.js';
import { resampleToGrid } from '../volume/resample.js';
import { type Volume, withVoxels } from '../volume/volume.js';
import { loadWeights } from './checkpoint.js';
import { bagSettings, buildPretrainModel, type PretrainRuntime } from './pretrain.js';
import { coveringStarts } from './pretrain-bag.js';
import type { PretrainConfig } from './pretrain-config.js';
import { tokenBatch } from './pretrain-data.js';
import { readRunInfo } from './run-record.js';

/** File name of a tag's map: "attention_left_kidney.nii.gz". */
export function attentionFileName(tag: string): string {
  return `attention_${tag.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}.nii.gz`;
}

/**
 * Attention maps [K][z, y, x] of one encoder stage (default: the finest the model has) on the
 * prepared (RAS, resampled) grid: patches of the run's patch size tile the volume (2D: every slice
 * in-plane; 3D: crops), each map is upsampled from its stage's resolution to the patch, and
 * overlapping patches are averaged.
 */
export function attentionOnPreparedGrid(
  model: MosmosModel,
  prepared: PreparedVolume,
  queriesFrom: () => ReturnType<MosmosModel['tagQueries']>,
  config: PretrainConfig,
  stage = 0,
): Float32Array[] {
  const [nx, ny, nz] = prepared.dims;
  const k = model.config.tags.length;
  const count = nx * ny * nz;
  const sums = Array.from({ length: k }, () => new Float32Array(count));
  const hits = new Uint16Array(count);
  const { patch } = bagSettings(config);
  const [px, py, pz] = [patch[0]!, patch[1]!, patch[2] ?? 1];
  const is3d = patch.length === 3;
  const xs = coveringStarts(0, nx, px);
  const ys = coveringStarts(0, ny, py);
  const zs = is3d ? coveringStarts(0, nz, pz) : Array.from({ length: nz }, (_, z) => z);
  const starts: [number, number, number][] = [];
  for (const z of zs) for (const y of ys) for (const x of xs) starts.push([x, y, z]);
  let fill = Number.POSITIVE_INFINITY;
  for (let i = 0; i < prepared.data.length; i++) fill = Math.min(fill, prepared.data[i]!);
  const chunk = is3d ? 1 : 16;
  noGrad(() => {
    const queries = queriesFrom();
    for (let c = 0; c < starts.length; c += chunk) {
      const group = starts.slice(c, c + chunk);
      tidy(() => {
        const input = new Float32Array(group.length * px * py * pz);
        group.forEach((s, i) => {
          input.set(cropPatch(prepared.data, prepared.dims, s, [px, py, pz], fill), i * px * py * pz);
        });
        const shape = is3d ? [group.length, 1, pz, py, px] : [group.length, 1, py, px];
        const stages = model.encodeImage(tensor(input, shape)).stages;
        const features = stages[Math.min(stage, stages.length - 1)]!;
        const size = is3d ? [pz, py, px] : [py, px];
        const values = interpolate(pixelTagAttention(features, queries, model.tau), size, 'linear').data();
        const per = px * py * pz;
        group.forEach(([x0, y0, z0], i) => {
          for (let z = 0; z < pz && z0 + z < nz; z++)
            for (let y = 0; y < py; y++) {
              const vy = y0 + y;
              if (vy < 0 || vy >= ny) continue;
              for (let x = 0; x < px; x++) {
                const vx = x0 + x;
                if (vx < 0 || vx >= nx) continue;
                const v = ((z0 + z) * ny + vy) * nx + vx;
                const local = (z * py + y) * px + x;
                for (let t = 0; t < k; t++) sums[t]![v]! += values[(i * k + t) * per + local]!;
                hits[v]!++;
              }
            }
        });
      });
    }
    queries.dispose();
  });
  for (const map of sums) for (let v = 0; v < count; v++) map[v]! /= Math.max(1, hits[v]!);
  return sums;
}

/**
 * Writes `attention_<tag>.nii.gz` for every tag of the run into `outDir`, each on the input's grid
 * (dims and affine) — resampled from the model's RAS grid through the two affines.
 */
export async function exportAttention(
  volumePath: string,
  runDir: string,
  outDir: string,
  options: { force?: boolean } & PretrainRuntime = {},
): Promise<string[]> {
  if (!existsSync(join(runDir, 'run.json')))
    throw fileError(runDir, 'not a pre-training run folder (no run.json)');
  const config = readRunInfo(runDir).config as unknown as PretrainConfig;
  const vocabulary = getVocabulary(config.tags);
  const tagNames = vocabulary.tags.map((t) => t.name);
  const outputs = tagNames.map((t) => join(outDir, attentionFileName(t)));
  for (const o of outputs) assertWritable(o, options);
  const { model, tokenizer } = await buildPretrainModel(config, runDir, null, tagNames, options);
  await loadWeights(runDir, model);
  const input: Volume = await readVolume(volumePath);
  const prepared = preprocessVolume(input, config.preprocess);
  const prompts = tokenBatch(
    tokenizer,
    vocabulary.tags.map((t) => t.prompt),
    Math.min(16, config.maxTokens),
  );
  const maps = attentionOnPreparedGrid(model, prepared, () => model.tagQueries(prompts), config);
  mkdirSync(outDir, { recursive: true });
  const grid = { dims: input.dims.slice(0, 3), affine: input.affine };
  for (let t = 0; t < maps.length; t++) {
    const onPrepared: Volume = {
      data: maps[t]!,
      dims: [...prepared.dims],
      spacing: prepared.spacing,
      affine: prepared.affine!,
      datatype: 'float32',
    };
    const back = resampleToGrid(onPrepared, grid, 'linear');
    await writeNifti(outputs[t]!, withVoxels(input, back.data, 'float32'), {
      force: options.force,
      datatype: 'float32',
      description: `mosmos attention ${tagNames[t]}`,
    });
  }
  return outputs;
}

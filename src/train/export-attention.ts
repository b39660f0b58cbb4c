/**
 * `mosmos pretrain --export-attention`: the pixel-tag attention maps of one volume from a pre-trained
 * run, one NIfTI per tag on the input's exact grid, so a user can see what the encoder learned.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessVolume } from '../data/preprocess.js';
import { axialSlices, cropPatch } from '../data/slice-sampler.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import { interpolate, noGrad, tensor, tidy } from '../engine/index.js';
import { fileError } from '../errors.js';
import { assertWritable } from '../io/atomic-write.js';
import { writeNifti } from '../io/nifti/index.js';
import { readVolume } from '../io/read-volume.js';
import type { MosmosModel } from '../nn/mosmos-model.js';
import { pixelTagAttention } from '../nn/pixel-tag-attention.js';
import { getVocabulary } from '../report/vocabularies.js';
import { resampleToGrid } from '../volume/resample.js';
import { type Volume, withVoxels } from '../volume/volume.js';
import { loadWeights } from './checkpoint.js';
import { buildPretrainModel, type PretrainRuntime } from './pretrain.js';
import type { PretrainConfig } from './pretrain-config.js';
import { vitSettings } from './pretrain-config.js';
import { tokenBatch } from './pretrain-data.js';
import { readRunInfo } from './run-record.js';

/** File name of a tag's map: "attention_left_kidney.nii.gz". */
export function attentionFileName(tag: string): string {
  return `attention_${tag.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}.nii.gz`;
}

/**
 * Attention maps [K, z, y, x] on the prepared (RAS, resampled) grid: 2D models slice by slice,
 * 3D models tile by tile; each map is upsampled from feature resolution to the grid.
 */
export function attentionOnPreparedGrid(
  model: MosmosModel,
  prepared: PreparedVolume,
  queriesFrom: () => ReturnType<MosmosModel['tagQueries']>,
  config: Pick<PretrainConfig, 'sliceSize' | 'vit' | 'tau'>,
): Float32Array[] {
  const [nx, ny, nz] = prepared.dims;
  const k = model.config.tags.length;
  const maps = Array.from({ length: k }, () => new Float32Array(nx * ny * nz));
  noGrad(() => {
    const queries = queriesFrom();
    if (model.config.arch === 'unet2d') {
      const size = config.sliceSize;
      const chunk = 8;
      for (let z0 = 0; z0 < nz; z0 += chunk) {
        const zs = Array.from({ length: Math.min(chunk, nz - z0) }, (_, i) => z0 + i);
        tidy(() => {
          const x = tensor(axialSlices(prepared.data, prepared.dims, zs, size), [zs.length, 1, size, size]);
          const a = interpolate(
            pixelTagAttention(model.encodeImage(x).features, queries, config.tau),
            [ny, nx],
            'linear',
          );
          const values = a.data();
          zs.forEach((z, s) => {
            for (let t = 0; t < k; t++)
              maps[t]!.set(values.subarray((s * k + t) * nx * ny, (s * k + t + 1) * nx * ny), z * nx * ny);
          });
        });
      }
    } else {
      const [pd, ph, pw] = vitSettings(config.vit).imageSize;
      for (let z0 = 0; z0 < nz; z0 += pd)
        for (let y0 = 0; y0 < ny; y0 += ph)
          for (let x0 = 0; x0 < nx; x0 += pw) {
            tidy(() => {
              const patch = cropPatch(prepared.data, prepared.dims, [x0, y0, z0], [pw, ph, pd], 0);
              const x = tensor(patch, [1, 1, pd, ph, pw]);
              const values = interpolate(
                pixelTagAttention(model.encodeImage(x).features, queries, config.tau),
                [pd, ph, pw],
                'linear',
              ).data();
              for (let t = 0; t < k; t++)
                for (let z = 0; z < pd && z0 + z < nz; z++)
                  for (let y = 0; y < ph && y0 + y < ny; y++)
                    for (let xx = 0; xx < pw && x0 + xx < nx; xx++)
                      maps[t]![((z0 + z) * ny + y0 + y) * nx + x0 + xx] =
                        values[((t * pd + z) * ph + y) * pw + xx]!;
            });
          }
    }
    queries.dispose();
  });
  return maps;
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

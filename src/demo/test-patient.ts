// Judging a model on a different real patient: segment the patient's scan (a NIfTI file or a DICOM
// folder, on its own grid; a DICOM folder also gets a DICOM SEG), carry the patient's label map from
// its own scheme onto the model's organs by name, and score every organ the patient's map shows.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type LabelNames, mapLabelScheme, remapLabels } from '../cohort/label-scheme.js';
import { readModelInfo } from '../infer/model-description.js';
import { segmentFile } from '../infer/segment-file.js';
import { writeDicomSeg } from '../io/dicom/seg-write.js';
import { writeNifti } from '../io/nifti/index.js';
import { readVolume } from '../io/read-volume.js';
import { evaluateCaseFiles } from '../metrics/evaluate-files.js';

export interface TestPatient {
  /** NIfTI file or DICOM series folder. */
  image: string;
  /** Its label map, on the image's grid. */
  labels: string;
  /** Names of the label map's values (its scheme); mapped onto the model's organs by name. */
  names: LabelNames;
}

export interface TestPatientResult {
  /** Dice per organ present in the patient's label map (organ name → Dice). */
  dice: Record<string, number>;
  /** Mean over those organs (organs absent from the truth are left out, as MONAI's ignore_empty). */
  meanDice: number;
  /** Predicted volume (mL) of organs the truth does not show: false positives. */
  falsePositiveMl: Record<string, number>;
  prediction: string;
  dicomSeg?: string;
  truth: string;
}

/**
 * Segments `patient` with the fine-tuning run `modelDir` (or an ensemble of runs) into `outDir` and
 * evaluates it.
 *
 * @example await evaluateTestPatient({ image: 'series/', labels: 'seg.nii.gz', names }, 'runs/ft', 'test')
 */
export async function evaluateTestPatient(
  patient: TestPatient,
  modelDir: string | readonly string[],
  outDir: string,
): Promise<TestPatientResult> {
  const info = readModelInfo(typeof modelDir === 'string' ? modelDir : modelDir[0]!);
  const prediction = join(outDir, 'prediction.nii.gz');
  const { labelMap } = await segmentFile(patient.image, modelDir, prediction, {
    force: true,
    postprocess: 'lcc',
  });
  let dicomSeg: string | undefined;
  if (statSync(patient.image).isDirectory()) {
    // The same label map as a DICOM SEG referencing the series (what a PACS would receive).
    dicomSeg = join(outDir, 'prediction-seg.dcm');
    const present = new Set(labelMap.data);
    const segments = Object.entries(info.labels)
      .map(([value, name]) => ({ label: Number(value), name }))
      .filter((s) => s.label !== 0 && present.has(s.label));
    if (segments.length > 0)
      await writeDicomSeg(dicomSeg, labelMap, patient.image, segments, {
        force: true,
        algorithmName: 'mosmos',
        seriesDescription: 'mosmos segmentation',
      });
    else dicomSeg = undefined;
  }
  // The truth in the model's scheme: the model's label names are the target organs.
  const target = Object.values(info.labels).includes('portal and splenic vein') ? 'btcv' : 'amos';
  const mapping = mapLabelScheme(patient.names, target);
  const labels = await readVolume(patient.labels);
  const truthPath = join(outDir, `truth-${target}.nii.gz`);
  await writeNifti(
    truthPath,
    { ...labels, data: remapLabels(labels.data, mapping), datatype: 'uint8' },
    { force: true, datatype: 'uint8' },
  );
  const organValues = Object.keys(info.labels)
    .map(Number)
    .filter((v) => v > 0);
  const [evaluation] = await evaluateCaseFiles([{ case: 'test', pred: prediction, gt: truthPath }], {
    labels: organValues,
    labelNames: Object.fromEntries(Object.entries(info.labels).map(([v, n]) => [Number(v), n])),
  });
  const dice: Record<string, number> = {};
  const falsePositiveMl: Record<string, number> = {};
  const voxelMl = (Math.abs(labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) || 1) / 1000;
  for (const organ of evaluation!.organs) {
    if (organ.gtVoxels > 0) dice[organ.name] = organ.dice;
    else if (organ.predVoxels > 0) falsePositiveMl[organ.name] = organ.predVoxels * voxelMl;
  }
  const values = Object.values(dice);
  const meanDice = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
  return {
    dice,
    meanDice,
    falsePositiveMl,
    prediction,
    ...(dicomSeg ? { dicomSeg } : {}),
    truth: truthPath,
  };
}

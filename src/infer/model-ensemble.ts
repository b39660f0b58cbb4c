// Several fine-tuned models as one: their softmax probabilities are averaged before the argmax, as
// nnU-Net ensembles the models of its five folds. Models trained from different seeds disagree most
// where a single model is least sure (an organ's edge, a structure unlike the training data), so the
// average is steadier than any one of them. Only models that read the same input the same way and
// answer with the same organs can be averaged; segmentVolume refuses anything else, naming the run
// that differs.
import { InputError } from '../errors.js';
import type { SegmentationModelInfo } from './model-description.js';
import type { SegmentationModel } from './segmentation-model.js';

/** What must agree between the members (everything that shapes the probability grid and its meaning). */
function signature(info: SegmentationModelInfo): Record<string, unknown> {
  return {
    classes: info.network.classes,
    inChannels: info.network.inChannels,
    labels: info.labels,
    regions: info.regions ?? null,
    preprocess: info.preprocess,
  };
}

/** Throws unless every model shares the first one's classes, labels, regions and preprocessing. */
export function assertEnsembleCompatible(models: readonly SegmentationModel[]): void {
  const [first, ...rest] = models;
  if (!first) throw new InputError('an ensemble needs at least one model');
  const expected = signature(first.info);
  for (const model of rest) {
    const got = signature(model.info);
    for (const key of Object.keys(expected))
      if (JSON.stringify(got[key]) !== JSON.stringify(expected[key]))
        throw new InputError(
          `${model.runDir}: its ${key} (model.json) does not match ${first.runDir}'s, so their probabilities cannot be averaged`,
        );
  }
}

/** `sum += p` elementwise (equal lengths: members predict on the same grid). */
export function addInto(sum: Float32Array, p: Float32Array): void {
  if (p.length !== sum.length)
    throw new Error(`probability arrays differ in length (${p.length}, ${sum.length})`);
  for (let i = 0; i < sum.length; i++) sum[i]! += p[i]!;
}

/** `data *= factor` elementwise. */
export function scaleInPlace(data: Float32Array, factor: number): void {
  for (let i = 0; i < data.length; i++) data[i]! *= factor;
}

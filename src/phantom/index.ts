/** The synthetic abdomen: seeded CT-like volumes with BTCV labels, clinical variation and reports. */
export {
  type PhantomDataset,
  type PhantomDatasetOptions,
  type PhantomPair,
  writePhantomDataset,
} from './dataset.js';
export {
  type ForcedFindings,
  type PhantomFindings,
  type PhantomLesion,
  VARIATION_RATES,
} from './findings.js';
export { generatePhantom, type Phantom, type PhantomAcquisition, type PhantomOptions } from './generate.js';
export { BTCV_LABEL_NAMES, BTCV_LABELS, ORGAN_HU, PHANTOM_ORGANS, type PhantomOrgan } from './organs.js';
export { Random } from './random.js';

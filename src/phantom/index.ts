/** The synthetic abdomen: seeded CT-like volumes with BTCV labels, clinical variation and reports. */
export {
  type PhantomDataset,
  type PhantomDatasetOptions,
  type PhantomPair,
  writePhantomDataset,
} from './dataset.js';
export {
  cropToScanRange,
  MIN_VISIBLE_FRACTION,
  MIN_VISIBLE_ORGANS,
  type PhantomFieldOfView,
  scanRangeStream,
} from './field-of-view.js';
export {
  type ForcedFindings,
  type PhantomFindings,
  type PhantomLesion,
  VARIATION_RATES,
} from './findings.js';
export { generatePhantom, type Phantom, type PhantomAcquisition, type PhantomOptions } from './generate.js';
export { BTCV_LABEL_NAMES, BTCV_LABELS, ORGAN_HU, PHANTOM_ORGANS, type PhantomOrgan } from './organs.js';
export { Random } from './random.js';
export {
  drawScanRange,
  MIN_SCAN_LENGTH_MM,
  SCAN_RANGES,
  type ScanLandmarks,
  type ScanRange,
  type ScanRangeKind,
  type ScanRangeMode,
} from './scan-range.js';

// The 13 BTCV organs the phantom draws, with their label values and the Hounsfield ranges of a
// portal-venous-phase contrast CT, the phase of the BTCV scans.

export type PhantomOrgan =
  | 'spleen'
  | 'right kidney'
  | 'left kidney'
  | 'gallbladder'
  | 'esophagus'
  | 'liver'
  | 'stomach'
  | 'aorta'
  | 'inferior vena cava'
  | 'portal and splenic vein'
  | 'pancreas'
  | 'right adrenal gland'
  | 'left adrenal gland';

/** BTCV label values (the layout of `label/labelXXXX.nii.gz`), 0 = background. */
export const BTCV_LABELS: Readonly<Record<PhantomOrgan, number>> = {
  spleen: 1,
  'right kidney': 2,
  'left kidney': 3,
  gallbladder: 4,
  esophagus: 5,
  liver: 6,
  stomach: 7,
  aorta: 8,
  'inferior vena cava': 9,
  'portal and splenic vein': 10,
  pancreas: 11,
  'right adrenal gland': 12,
  'left adrenal gland': 13,
};

/** Label value → organ name, as written beside a segmentation (`{ "labels": { "1": "spleen" } }`). */
export const BTCV_LABEL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(BTCV_LABELS).map(([name, value]) => [value, name]),
);

export const PHANTOM_ORGANS = Object.keys(BTCV_LABELS) as PhantomOrgan[];

/**
 * Mean attenuation range (HU) of each organ's parenchyma or lumen in portal venous phase; a case draws
 * its organ means from these ranges, then adds texture and noise.
 */
export const ORGAN_HU: Readonly<Record<PhantomOrgan, [number, number]>> = {
  spleen: [105, 130],
  'right kidney': [150, 190],
  'left kidney': [150, 190],
  gallbladder: [0, 20],
  esophagus: [35, 55],
  liver: [95, 120],
  stomach: [15, 45],
  aorta: [160, 220],
  'inferior vena cava': [120, 160],
  'portal and splenic vein': [150, 190],
  pancreas: [80, 105],
  'right adrenal gland': [45, 70],
  'left adrenal gland': [45, 70],
};

/** Attenuation of the non-organ tissues (HU). */
export const TISSUE_HU = {
  air: -1000,
  fat: -100,
  muscle: 50,
  cancellousBone: 250,
  corticalBone: 750,
  cerebrospinalFluid: 10,
  disc: 90,
} as const;

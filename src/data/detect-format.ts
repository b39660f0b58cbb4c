/**
 * Recognises a dataset folder's layout from its file names alone (no voxels are read). More
 * specific layouts are tried first: AMOS and the tutorials' BTCV copy also have a dataset
 * json, so they are checked before the generic MSD / nnU-Net rule.
 */
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { isAmosFolder } from './amos.js';
import { isBratsFolder } from './brats.js';
import { findBtcvLayout } from './btcv.js';
import type { DatasetFormat } from './dataset.js';
import { isMmwhsFolder } from './mmwhs.js';
import { isDirectory, isFile } from './nifti-files.js';

/** The format of the dataset in `dir`; an error naming the folder and the layouts tried otherwise. */
export function detectDatasetFormat(dir: string): DatasetFormat {
  if (!isDirectory(dir)) throw fileError(dir, 'not a folder');
  if (findBtcvLayout(dir) !== null) return 'btcv';
  if (isAmosFolder(dir)) return 'amos';
  if (isFile(join(dir, 'dataset.json'))) return 'msd';
  if (isMmwhsFolder(dir)) return 'mmwhs';
  if (isBratsFolder(dir)) return 'brats';
  throw fileError(
    dir,
    'unrecognised dataset layout (expected BTCV img/ + label/, AMOS imagesTr/amos_0001.nii.gz, a dataset.json, ' +
      'MM-WHS ct_train_1001_image.nii.gz, or BraTS case folders); pass --format to say which',
  );
}

/** NIfTI-1/-2 reading and writing. */
export { headerAffine, qformAffine, setHeaderAffine, sformAffine } from './affine.js';
export { datatypeCode, datatypeFromCode } from './datatypes.js';
export { decodeNifti, hasScaling, isGzip, niftiHeaderOf } from './decode.js';
export {
  convertVoxels,
  type EncodeOptions,
  encodeNifti,
  encodeNiftiParts,
  headerForVolume,
} from './encode.js';
export { isGzipPath, readNifti, type WriteNiftiOptions, writeNifti } from './file.js';
export { gzipParts } from './gzip.js';
export { defaultNiftiHeader, type NiftiExtension, type NiftiHeader, parseHeader } from './header.js';

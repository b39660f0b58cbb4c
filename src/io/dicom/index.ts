// DICOM: image series → Volume, Volume → series, and DICOM Segmentation read/write.
export { decodeJpeg2000, decodeJpegLossless, decodeJpegLs } from './codecs.js';
export { type SliceGeometry, type SliceStack, StackError, stackSlices } from './geometry.js';
export { type DicomInstance, hasDicomPreamble, parseDicom } from './instance.js';
export { decodeFrame, type PixelModule, pixelModule } from './pixels.js';
export { decodeRleFrame, encodeRleFrame } from './rle.js';
export {
  type DicomSegment,
  type DicomSegmentation,
  LABEL_MAP_SEGMENTATION_SOP_CLASS,
  type ReadSegOptions,
  readDicomSeg,
  SEGMENTATION_SOP_CLASS,
} from './seg-read.js';
export { encodeDicomSeg, type SegmentDefinition, type WriteSegOptions, writeDicomSeg } from './seg-write.js';
export {
  type LoadedSeries,
  listDicomSeries,
  loadDicomSeries,
  type ReadSeriesOptions,
  readDicomSeries,
  type SeriesSlice,
  type SeriesSummary,
} from './series.js';
export { type WritableTransferSyntax, type WriteSeriesOptions, writeDicomSeries } from './series-write.js';
export {
  ANATOMICAL_STRUCTURE,
  type CodedConcept,
  ORGAN_CODES,
  organProperty,
  type SegmentProperty,
} from './snomed.js';
export { pixelEncoding, transferSyntaxName } from './transfer-syntax.js';

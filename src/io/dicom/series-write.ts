// Writes a Volume as a classic single-frame DICOM image series, one file per slice, in a chosen
// uncompressed or RLE transfer syntax — e.g. to hand a synthetic phantom or a converted NIfTI to a
// PACS or viewer, and to make test series in every syntax the reader supports.

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import dcmjs from 'dcmjs';
import { fileError } from '../../errors.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { version } from '../../version.js';
import { type Volume, voxelCount } from '../../volume/volume.js';
import type { NaturalDataset } from './instance.js';
import { encodeRleFrame } from './rle.js';
import {
  DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  EXPLICIT_BIG_ENDIAN,
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  RLE_LOSSLESS,
} from './transfer-syntax.js';

export type WritableTransferSyntax = 'implicit-le' | 'explicit-le' | 'explicit-be' | 'deflate' | 'rle';

const SYNTAX_UIDS: Record<WritableTransferSyntax, string> = {
  'implicit-le': IMPLICIT_LITTLE_ENDIAN,
  'explicit-le': EXPLICIT_LITTLE_ENDIAN,
  'explicit-be': EXPLICIT_BIG_ENDIAN,
  deflate: DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  rle: RLE_LOSSLESS,
};

const SOP_CLASSES: Record<string, string> = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  OT: '1.2.840.10008.5.1.4.1.1.7',
};

export interface WriteSeriesOptions {
  transferSyntax?: WritableTransferSyntax;
  /** 'CT' (default), 'MR' or 'OT'. */
  modality?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Reuse these identities, e.g. to put two series in one study. */
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  patientId?: string;
  patientName?: string;
  /** Write into a folder that already holds files. */
  force?: boolean;
}

/**
 * Writes `volume` (integer values in the int16 range) as files `IMG0001.dcm`… in `dir`; returns the
 * file paths in slice order. The geometry is the inverse of readDicomSeries, so reading the folder
 * back gives the same voxels on the same grid.
 */
export function writeDicomSeries(dir: string, volume: Volume, options: WriteSeriesOptions = {}): string[] {
  const [columns, rows, slices] = volume.dims as [number, number, number];
  if ((volume.dims[3] ?? 1) !== 1)
    throw fileError(dir, 'cannot write a multi-channel volume as a DICOM series');
  mkdirSync(dir, { recursive: true });
  if (!options.force && readdirSync(dir).length > 0)
    throw fileError(dir, 'output folder is not empty (pass --force)');
  const syntax = SYNTAX_UIDS[options.transferSyntax ?? 'explicit-le'];
  const modality = options.modality ?? 'CT';
  const sopClass = SOP_CLASSES[modality] ?? SOP_CLASSES.OT!;
  const uid = () => dcmjs.data.DicomMetaDictionary.uid();
  const study = options.studyInstanceUid ?? uid();
  const series = options.seriesInstanceUid ?? uid();
  const frameOfReference = options.frameOfReferenceUid ?? uid();
  const sliceSize = rows * columns;
  const iso = new Date().toISOString();
  const today = { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
  if (voxelCount(volume) !== volume.data.length) throw fileError(dir, 'volume data does not match its dims');
  const a = volume.affine;
  const unit = (c: number) => [-a[0]![c]!, -a[1]![c]!, a[2]![c]!].map((x) => x / volume.spacing[c]!);
  // DICOM rows run top-down, so the column direction is −j (see geometry.ts).
  const orientation = [...unit(0), ...unit(1).map((x) => -x)].map(tidy);
  const paths: string[] = [];
  for (let k = 0; k < slices; k++) {
    const pixels = new Int16Array(sliceSize);
    for (let r = 0; r < rows; r++) {
      const source = k * sliceSize + (rows - 1 - r) * columns;
      for (let c = 0; c < columns; c++) {
        const v = Math.round(Number(volume.data[source + c]));
        if (v < -32768 || v > 32767)
          throw fileError(dir, `voxel value ${v} does not fit a 16-bit DICOM image`);
        pixels[r * columns + c] = v;
      }
    }
    const ras = [0, 1, 2].map((r) => a[r]![1]! * (rows - 1) + a[r]![2]! * k + a[r]![3]!);
    const instance = uid();
    const dataset: NaturalDataset = {
      _vrMap: { PixelData: 'OW' },
      SOPClassUID: sopClass,
      SOPInstanceUID: instance,
      ImageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
      Modality: modality,
      PatientName: options.patientName ?? 'mosmos^synthetic',
      PatientID: options.patientId ?? 'mosmos',
      PatientBirthDate: '',
      PatientSex: '',
      StudyInstanceUID: study,
      StudyID: '1',
      StudyDate: today.date,
      StudyTime: today.time,
      AccessionNumber: '',
      ReferringPhysicianName: '',
      SeriesInstanceUID: series,
      SeriesNumber: options.seriesNumber ?? 1,
      // Type 2 attributes of the CT and general series modules, present and empty when unknown.
      Laterality: '',
      PatientPosition: '',
      KVP: '',
      AcquisitionNumber: '',
      SeriesDescription: options.seriesDescription ?? 'mosmos volume',
      Manufacturer: 'mosmos',
      SoftwareVersions: version,
      FrameOfReferenceUID: frameOfReference,
      PositionReferenceIndicator: '',
      InstanceNumber: k + 1,
      ImagePositionPatient: [-ras[0]!, -ras[1]!, ras[2]!].map(tidy),
      ImageOrientationPatient: orientation,
      PixelSpacing: [tidy(volume.spacing[1]), tidy(volume.spacing[0])],
      SliceThickness: tidy(volume.spacing[2]),
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: columns,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: 0,
      RescaleSlope: 1,
      PixelData: [pixelData(pixels, syntax)],
    };
    const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      _vrMap: {},
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: sopClass,
      MediaStorageSOPInstanceUID: instance,
      TransferSyntaxUID: syntax,
      ImplementationClassUID: '1.2.826.0.1.3680043.10.1584',
      ImplementationVersionName: `mosmos ${version}`.slice(0, 16),
    });
    const file = new dcmjs.data.DicomDict(meta);
    file.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    let bytes: Uint8Array = new Uint8Array(file.write({ fragmentMultiframe: false }));
    if (syntax === DEFLATED_EXPLICIT_LITTLE_ENDIAN) bytes = deflateDataset(bytes);
    const path = join(dir, `IMG${String(k + 1).padStart(4, '0')}.dcm`);
    writeFileAtomic(path, bytes, { force: options.force ?? false });
    paths.push(path);
  }
  return paths;
}

function pixelData(pixels: Int16Array, syntax: string): ArrayBuffer {
  const bytes = new Uint8Array(pixels.length * 2);
  bytes.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  if (syntax === RLE_LOSSLESS) return encodeRleFrame(bytes, 2, 1).slice().buffer;
  if (syntax === EXPLICIT_BIG_ENDIAN) {
    // dcmjs writes OW bytes as given; big endian wants each 16-bit word byte-swapped.
    for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1]!, bytes[i]!];
  }
  return bytes.buffer;
}

// dcmjs writes the dataset of a deflated file uncompressed; compress everything after the file
// meta group (PS3.5 A.5: the data set is deflated, the meta information is not).
function deflateDataset(file: Uint8Array): Uint8Array {
  const metaLength = new DataView(file.buffer, file.byteOffset).getUint32(140, true);
  const datasetStart = 144 + metaLength;
  const deflated = deflateRawSync(file.subarray(datasetStart));
  const out = new Uint8Array(datasetStart + deflated.length + (deflated.length % 2));
  out.set(file.subarray(0, datasetStart));
  out.set(deflated, datasetStart);
  return out;
}

// Six decimals keep DS values inside their 16 characters without losing sub-micron precision.
function tidy(x: number): number {
  return Number(x.toFixed(6)) || 0;
}

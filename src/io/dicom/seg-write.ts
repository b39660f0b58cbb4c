// Writes a label map as a binary DICOM Segmentation on its reference series: one frame per segment
// per slice that contains it, each frame referencing its source image, segments coded in SNOMED CT.
import dcmjs from 'dcmjs';
import { InputError } from '../../errors.js';
import { assertWritable, writeFileAtomic } from '../../files/atomic-write.js';
import { version } from '../../version.js';
import type { Volume } from '../../volume/volume.js';
import type { NaturalDataset } from './instance.js';
import { SEGMENTATION_SOP_CLASS } from './seg-read.js';
import { type LoadedSeries, loadDicomSeries } from './series.js';
import { ANATOMICAL_STRUCTURE, type CodedConcept, organProperty, type SegmentProperty } from './snomed.js';
import { EXPLICIT_LITTLE_ENDIAN } from './transfer-syntax.js';

/** A segment to write: the label value it has in the label map, its name, and optionally its code. */
export interface SegmentDefinition {
  label: number;
  name: string;
  /** SNOMED CT code of the structure; looked up from `name` in snomed.ts when omitted. */
  snomed?: { code: string; scheme: string; meaning: string };
}

export interface WriteSegOptions {
  force?: boolean;
  /** Which series of the reference folder (SeriesInstanceUID or SeriesNumber), if it holds several. */
  series?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Name of the algorithm that made the label map (SegmentAlgorithmName). */
  algorithmName?: string;
}

const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1584'; // stable UID naming the writer
// DICOM-SEG tags used as dimension index pointers (group << 16 | element).
const TAG_REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const TAG_SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000a;
const TAG_IMAGE_POSITION_PATIENT = 0x00200032;
const TAG_PLANE_POSITION_SEQUENCE = 0x0020930d;

/**
 * Writes `labelMap` (which must be on the grid of the series in `referenceSeriesDir`, as returned by
 * readDicomSeries) as a DICOM-SEG at `path`, e.g.
 * `await writeDicomSeg('seg.dcm', prediction, 'ct/', [{ label: 1, name: 'liver' }])`.
 */
export async function writeDicomSeg(
  path: string,
  labelMap: Volume,
  referenceSeriesDir: string,
  segments: SegmentDefinition[],
  options: WriteSegOptions = {},
): Promise<void> {
  assertWritable(path, options);
  writeFileAtomic(path, await dicomSegBytes(labelMap, referenceSeriesDir, segments, options), options);
}

/** The bytes of the DICOM-SEG writeDicomSeg writes, after the same checks. */
export async function dicomSegBytes(
  labelMap: Volume,
  referenceSeriesDir: string,
  segments: SegmentDefinition[],
  options: WriteSegOptions = {},
): Promise<Uint8Array> {
  const series = await loadDicomSeries(referenceSeriesDir, options.series ? { series: options.series } : {});
  assertSameGrid(labelMap, series, referenceSeriesDir);
  return encodeDicomSeg(labelMap, series, segments, options);
}

/** Builds the SEG file bytes for a label map on a loaded reference series. */
export function encodeDicomSeg(
  labelMap: Volume,
  series: LoadedSeries,
  segments: SegmentDefinition[],
  options: WriteSegOptions = {},
): Uint8Array {
  if (segments.length === 0) throw new InputError('writeDicomSeg: no segments given');
  const labels = new Set<number>();
  for (const s of segments) {
    if (!Number.isInteger(s.label) || s.label <= 0)
      throw new InputError(`segment "${s.name}": label must be a positive integer`);
    if (labels.has(s.label)) throw new InputError(`segment label ${s.label} given twice`);
    labels.add(s.label);
  }
  const [columns, rows, slices] = labelMap.dims as [number, number, number];
  const sliceSize = rows * columns;
  const frames: { segment: number; k: number }[] = [];
  segments.forEach((s, index) => {
    for (let k = 0; k < slices; k++) {
      const slice = labelMap.data.subarray(k * sliceSize, (k + 1) * sliceSize);
      if (slice.includes(s.label)) frames.push({ segment: index + 1, k });
    }
  });
  if (frames.length === 0)
    throw new InputError('label map contains none of the segments given (nothing to write)');

  // Frames are bit-packed back to back (PS3.5 8.1.1: BitsAllocated 1, least significant bit first).
  const pixelBytes = new Uint8Array(Math.ceil((frames.length * sliceSize) / 8 / 2) * 2);
  frames.forEach(({ segment, k }, f) => {
    const label = segments[segment - 1]!.label;
    const base = k * sliceSize;
    for (let r = 0; r < rows; r++) {
      // Volume rows run bottom-up (see geometry.ts); DICOM frames top-down.
      const source = base + (rows - 1 - r) * columns;
      for (let c = 0; c < columns; c++) {
        if (labelMap.data[source + c] !== label) continue;
        const bit = f * sliceSize + r * columns + c;
        pixelBytes[bit >> 3]! |= 1 << (bit & 7);
      }
    }
  });

  const h = series.header;
  const seriesUid = dcmjs.data.DicomMetaDictionary.uid();
  const instanceUid = dcmjs.data.DicomMetaDictionary.uid();
  const dimensionOrganizationUid = dcmjs.data.DicomMetaDictionary.uid();
  const now = new Date();
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const time = now.toISOString().slice(11, 19).replace(/:/g, '');
  const orientation = dicomOrientation(labelMap);
  const pixelSpacing = [labelMap.spacing[1], labelMap.spacing[0]];
  const sourceRef = (k: number): NaturalDataset => {
    const slice = series.slices[k]!;
    return {
      ReferencedSOPClassUID: slice.sopClassUid,
      ReferencedSOPInstanceUID: slice.sopInstanceUid,
      ...(slice.frame > 0 || isMultiFrame(series) ? { ReferencedFrameNumber: slice.frame + 1 } : {}),
    };
  };
  const dataset: NaturalDataset = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: SEGMENTATION_SOP_CLASS,
    SOPInstanceUID: instanceUid,
    SpecificCharacterSet: 'ISO_IR 192',
    ...copy(h, ['PatientAge', 'StudyDescription']),
    // Type 1 identities: a reference series stripped of them (anonymised) gets fresh ones.
    StudyInstanceUID: h.StudyInstanceUID || dcmjs.data.DicomMetaDictionary.uid(),
    // Type 2 attributes of the patient and study: copied, or present and empty.
    StudyID: h.StudyID ?? '',
    AccessionNumber: h.AccessionNumber ?? '',
    ReferringPhysicianName: h.ReferringPhysicianName ?? '',
    PatientName: h.PatientName ?? '',
    PatientID: h.PatientID ?? '',
    PatientBirthDate: h.PatientBirthDate ?? '',
    PatientSex: h.PatientSex ?? '',
    StudyDate: h.StudyDate ?? '',
    StudyTime: h.StudyTime ?? '',
    Modality: 'SEG',
    SeriesInstanceUID: seriesUid,
    SeriesNumber: options.seriesNumber ?? 300,
    SeriesDescription: options.seriesDescription ?? 'mosmos segmentation',
    SeriesDate: date,
    SeriesTime: time,
    FrameOfReferenceUID: h.FrameOfReferenceUID || dcmjs.data.DicomMetaDictionary.uid(),
    PositionReferenceIndicator: '',
    Manufacturer: 'mosmos',
    ManufacturerModelName: 'mosmos',
    DeviceSerialNumber: '0',
    SoftwareVersions: version,
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    ContentLabel: 'SEGMENTATION',
    ContentDescription: options.seriesDescription ?? 'mosmos segmentation',
    ContentCreatorName: '',
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    NumberOfFrames: frames.length,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: h.SeriesInstanceUID ?? '',
        ReferencedInstanceSequence: uniqueInstances(series).map((s) => ({
          ReferencedSOPClassUID: s.sopClassUid,
          ReferencedSOPInstanceUID: s.sopInstanceUid,
        })),
      },
    ],
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: TAG_REFERENCED_SEGMENT_NUMBER,
        FunctionalGroupPointer: TAG_SEGMENT_IDENTIFICATION_SEQUENCE,
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: TAG_IMAGE_POSITION_PATIENT,
        FunctionalGroupPointer: TAG_PLANE_POSITION_SEQUENCE,
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    SegmentSequence: segments.map((s, index) => segmentItem(s, index + 1, options.algorithmName ?? 'mosmos')),
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: orientation }],
        PixelMeasuresSequence: [
          {
            PixelSpacing: pixelSpacing,
            SliceThickness: labelMap.spacing[2],
            SpacingBetweenSlices: labelMap.spacing[2],
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map(({ segment, k }) => ({
      DerivationImageSequence: [
        {
          SourceImageSequence: [
            {
              ...sourceRef(k),
              PurposeOfReferenceCodeSequence: [
                code({
                  code: '121322',
                  scheme: 'DCM',
                  meaning: 'Source image for image processing operation',
                }),
              ],
            },
          ],
          DerivationCodeSequence: [code({ code: '113076', scheme: 'DCM', meaning: 'Segmentation' })],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [segment, k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: dicomPosition(labelMap, k) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segment }],
    })),
    PixelData: [pixelBytes.buffer],
  };
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEGMENTATION_SOP_CLASS,
    MediaStorageSOPInstanceUID: instanceUid,
    TransferSyntaxUID: EXPLICIT_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: `mosmos ${version}`.slice(0, 16),
    _vrMap: {},
  });
  const file = new dcmjs.data.DicomDict(meta);
  file.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}

function segmentItem(s: SegmentDefinition, number: number, algorithmName: string): NaturalDataset {
  const property: SegmentProperty = s.snomed
    ? { category: ANATOMICAL_STRUCTURE, type: s.snomed }
    : (organProperty(s.name) ?? { category: ANATOMICAL_STRUCTURE, type: ANATOMICAL_STRUCTURE });
  return {
    SegmentNumber: number,
    SegmentLabel: s.name.slice(0, 64),
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: algorithmName,
    SegmentedPropertyCategoryCodeSequence: [code(property.category)],
    SegmentedPropertyTypeCodeSequence: [
      {
        ...code(property.type),
        ...(property.modifier
          ? { SegmentedPropertyTypeModifierCodeSequence: [code(property.modifier)] }
          : {}),
      },
    ],
  };
}

function code(c: CodedConcept): NaturalDataset {
  return { CodeValue: c.code, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning };
}

function copy(source: NaturalDataset, keys: string[]): NaturalDataset {
  const out: NaturalDataset = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function isMultiFrame(series: LoadedSeries): boolean {
  return new Set(series.slices.map((s) => s.sopInstanceUid)).size < series.slices.length;
}

function uniqueInstances(series: LoadedSeries) {
  const seen = new Map<string, (typeof series.slices)[number]>();
  for (const s of series.slices) if (!seen.has(s.sopInstanceUid)) seen.set(s.sopInstanceUid, s);
  return [...seen.values()];
}

// The inverse of geometry.ts: DICOM row direction = +i, column direction = −j (rows run top-down),
// both in LPS.
function dicomOrientation(v: Volume): number[] {
  const a = v.affine;
  const col = (c: number) => [
    -a[0]![c]! / v.spacing[c]!,
    -a[1]![c]! / v.spacing[c]!,
    a[2]![c]! / v.spacing[c]!,
  ];
  const row = col(0);
  const column = col(1).map((x) => -x);
  return [...row, ...column].map((x) => Number(x.toFixed(8)) || 0);
}

function dicomPosition(v: Volume, k: number): number[] {
  const a = v.affine;
  const j = v.dims[1]! - 1; // the top DICOM row is the last voxel row
  const ras = [0, 1, 2].map((r) => a[r]![1]! * j + a[r]![2]! * k + a[r]![3]!);
  return [-ras[0]!, -ras[1]!, ras[2]!].map((x) => Number(x.toFixed(6)) || 0);
}

function assertSameGrid(labelMap: Volume, series: LoadedSeries, dir: string): void {
  const reference = series.volume;
  const sameDims = [0, 1, 2].every((i) => labelMap.dims[i] === reference.dims[i]);
  const worst = Math.max(
    ...reference.affine.flatMap((row, r) => row.map((v, c) => Math.abs(v - labelMap.affine[r]![c]!))),
  );
  if (!sameDims || !(worst <= 1e-3)) {
    throw new InputError(
      `${dir}: label map is not on this series' grid (label map ${labelMap.dims.slice(0, 3).join('×')}, ` +
        `series ${reference.dims.join('×')}, largest affine difference ${worst.toFixed(4)} mm); ` +
        'resample it to the series first',
    );
  }
}

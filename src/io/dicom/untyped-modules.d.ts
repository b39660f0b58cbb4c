// Type declarations for the untyped packages the DICOM reader uses. From dcmjs: reading and writing
// Part 10 files as tag dictionaries, and converting between tag dictionaries and keyword datasets.
declare module 'dcmjs' {
  /** One data element as dcmjs holds it: its VR and its values (strings, numbers, buffers, items). */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
  }
  /** Data elements keyed by 8-hex-digit tag, e.g. '00200032'. */
  export type DicomTagDict = Record<string, DicomElement>;
  /** A dataset keyed by DICOM keyword, e.g. `ImagePositionPatient`; sequences are arrays of datasets. */
  export type NaturalDataset = Record<string, unknown>;

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export class DicomDict {
    constructor(meta: DicomTagDict);
    meta: DicomTagDict;
    dict: DicomTagDict;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  export const DicomMessage: {
    readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  };

  export const DicomMetaDictionary: {
    naturalizeDataset(dict: DicomTagDict): NaturalDataset;
    denaturalizeDataset(dataset: NaturalDataset): DicomTagDict;
    uid(): string;
  };

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: typeof DicomMessage;
      DicomMetaDictionary: typeof DicomMetaDictionary;
    };
    log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
  };
  export default dcmjs;
}

// jpeg-lossless-decoder-js names a declaration file it does not ship.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBufferLike, numBytes?: number);
    decode(
      buffer: ArrayBufferLike,
      offset: number,
      length: number,
      numBytes?: number,
    ): Uint8Array | Uint16Array;
    xDim: number;
    yDim: number;
    numComp: number;
    precision?: number;
  }
}

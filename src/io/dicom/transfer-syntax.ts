// The transfer syntaxes mosmos reads, by UID, with the name a user sees in an error message.

export const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
export const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
export const JPEG_LS_NEAR_LOSSLESS = '1.2.840.10008.1.2.4.81';
export const JPEG_2000_LOSSLESS = '1.2.840.10008.1.2.4.90';
export const JPEG_2000 = '1.2.840.10008.1.2.4.91';

/** How a transfer syntax stores pixel data, i.e. which decoder a frame goes to. */
export type PixelEncoding = 'native' | 'rle' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000';

const SUPPORTED: Record<string, { name: string; encoding: PixelEncoding }> = {
  [IMPLICIT_LITTLE_ENDIAN]: { name: 'Implicit VR Little Endian', encoding: 'native' },
  [EXPLICIT_LITTLE_ENDIAN]: { name: 'Explicit VR Little Endian', encoding: 'native' },
  [DEFLATED_EXPLICIT_LITTLE_ENDIAN]: { name: 'Deflated Explicit VR Little Endian', encoding: 'native' },
  [EXPLICIT_BIG_ENDIAN]: { name: 'Explicit VR Big Endian', encoding: 'native' },
  [RLE_LOSSLESS]: { name: 'RLE Lossless', encoding: 'rle' },
  [JPEG_LOSSLESS]: { name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless' },
  [JPEG_LOSSLESS_SV1]: { name: 'JPEG Lossless SV1', encoding: 'jpeg-lossless' },
  [JPEG_LS_LOSSLESS]: { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  [JPEG_LS_NEAR_LOSSLESS]: { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  [JPEG_2000_LOSSLESS]: { name: 'JPEG 2000 Lossless', encoding: 'jpeg-2000' },
  [JPEG_2000]: { name: 'JPEG 2000', encoding: 'jpeg-2000' },
};

const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (lossy)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (lossy)',
  '1.2.840.10008.1.2.4.100': 'MPEG-2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

/** The pixel encoding of a supported transfer syntax, or undefined when mosmos cannot decode it. */
export function pixelEncoding(uid: string): PixelEncoding | undefined {
  return SUPPORTED[uid]?.encoding;
}

/** A readable name for a transfer syntax UID, e.g. 'JPEG 2000 Lossless (1.2.840.10008.1.2.4.90)'. */
export function transferSyntaxName(uid: string): string {
  const name = SUPPORTED[uid]?.name ?? KNOWN_UNSUPPORTED[uid] ?? 'unknown transfer syntax';
  return `${name} (${uid})`;
}

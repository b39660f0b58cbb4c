/**
 * gzip compression of large volumes on several cores: the input is cut into pieces that are deflated
 * independently in libuv's thread pool and joined into one standard gzip member (the pigz technique:
 * every piece but the last ends with a sync flush, so the raw deflate streams concatenate). Any gzip
 * reader, nibabel and zlib included, reads the result as one stream.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/** Pieces of 4 MiB: big enough that restarting the dictionary costs < 0.1 % in size. */
const PIECE = 4 * 1024 * 1024;

/** zlib.crc32 exists from Node 20.15; older 20.x fall back to one-thread gzipSync. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Splits `parts` (read in order as one byte stream) into pieces of at most PIECE bytes, without copying. */
function pieces(parts: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const part of parts) {
    for (let start = 0; start < part.length; start += PIECE) out.push(part.subarray(start, start + PIECE));
  }
  return out;
}

/** gzip-compresses the concatenation of `parts` at `level` (1 = fastest … 9 = smallest). */
export async function gzipParts(parts: readonly Uint8Array[], level: number): Promise<Uint8Array[]> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (!crc32 || total <= PIECE) {
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return [zlib.gzipSync(joined, { level })];
  }
  const list = pieces(parts);
  const deflated = Promise.all(
    list.map((piece, i) =>
      deflateRaw(piece, {
        level,
        chunkSize: Math.max(64 * 1024, piece.length + 1024),
        finishFlush: i === list.length - 1 ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      }),
    ),
  );
  // The checksum runs on this thread while the pool deflates.
  let crc = 0;
  for (const part of parts) crc = crc32(part, crc);
  // RFC 1952 member header: deflate, no name, mtime 0 (reproducible files), XFL 4 = fastest / 2 = best, OS 3 = Unix.
  const header = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level <= 1 ? 4 : level >= 9 ? 2 : 0, 3]);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, total % 2 ** 32, true);
  return [header, ...(await deflated), trailer];
}

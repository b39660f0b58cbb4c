/**
 * On-disk cache of preprocessed volumes, keyed by the source file's content hash and the
 * preprocessing settings, so that reading, reorienting, resampling and windowing a CT happens once
 * per run configuration instead of once per epoch. Entries are a raw little-endian float32 file plus a
 * JSON header, written atomically.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';

/** A preprocessed volume: float32 voxels (x fastest) on the model's grid. */
export interface PreparedVolume {
  data: Float32Array;
  dims: [number, number, number];
  spacing: [number, number, number];
  /** Voxel → RAS-mm affine of this grid, to map outputs back onto the source image's grid. */
  affine?: number[][];
  /** Input channels stacked channel-major in `data` (absent = 1). */
  channels?: number;
}

/** sha256 of a file's bytes (streamed), or of a folder's files in name order (a DICOM series). */
export async function contentHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((name) => join(path, name))
        .filter((p) => statSync(p).isFile())
    : [path];
  for (const file of files) {
    hash.update(`${file.slice(path.length)}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Cache key: content hash + canonical JSON of the settings. */
export function cacheKey(content: string, settings: Record<string, unknown>): string {
  const canonical = JSON.stringify(settings, Object.keys(settings).sort());
  return createHash('sha256').update(content).update(canonical).digest('hex').slice(0, 32);
}

export class VolumeCache {
  constructor(readonly dir: string) {}

  private paths(key: string) {
    return { data: join(this.dir, `${key}.f32`), header: join(this.dir, `${key}.json`) };
  }

  /** The cached volume for `key`, or undefined (a damaged entry counts as absent). */
  get(key: string): PreparedVolume | undefined {
    const p = this.paths(key);
    if (!existsSync(p.header) || !existsSync(p.data)) return undefined;
    try {
      const header = JSON.parse(readFileSync(p.header, 'utf8')) as Omit<PreparedVolume, 'data'>;
      const bytes = readFileSync(p.data);
      const count = header.dims[0] * header.dims[1] * header.dims[2] * (header.channels ?? 1);
      if (bytes.byteLength !== count * 4) return undefined;
      const data = new Float32Array(count);
      new Uint8Array(data.buffer).set(bytes);
      return {
        data,
        dims: header.dims,
        spacing: header.spacing,
        affine: header.affine,
        ...(header.channels ? { channels: header.channels } : {}),
      };
    } catch {
      return undefined;
    }
  }

  /** Stores a volume under `key` (data first, header last, so a header means a complete entry). */
  put(key: string, volume: PreparedVolume): void {
    mkdirSync(this.dir, { recursive: true });
    const p = this.paths(key);
    writeFileAtomic(
      p.data,
      new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength),
      {
        force: true,
      },
    );
    const channels = volume.channels && volume.channels > 1 ? { channels: volume.channels } : {};
    writeFileAtomic(p.header, JSON.stringify({ dims: volume.dims, spacing: volume.spacing, ...channels }), {
      force: true,
    });
  }

  /** Returns the cached volume or computes, stores and returns it. */
  async getOrCompute(
    source: string,
    settings: Record<string, unknown>,
    compute: () => Promise<PreparedVolume>,
  ): Promise<PreparedVolume> {
    const key = cacheKey(await contentHash(source), settings);
    const hit = this.get(key);
    if (hit) return hit;
    const volume = await compute();
    this.put(key, volume);
    return volume;
  }
}

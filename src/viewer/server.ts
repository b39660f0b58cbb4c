// `mosmos view` as a library: a small HTTP server on 127.0.0.1 that serves the viewer page, niivue's
// browser bundle and exactly the files the user named — nothing else on disk is reachable.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileError, InputError } from '../errors.js';
import { encodeNifti } from '../io/nifti/index.js';
import { readVolume } from '../io/read-volume.js';
import { type Volume, voxelCount } from '../volume/volume.js';
import { legendFor, readLabelNames } from './labels.js';
import { type ViewerPageConfig, viewerPage } from './page.js';

export interface ViewerOptions {
  /** A .nii/.nii.gz file or a DICOM series folder. */
  volume: string;
  /** Label map shown as an overlay; names from `<seg>.json` beside it, else the BTCV organs. */
  seg?: string;
  /** Folder of pixel-tag attention maps `attention_<tag>.nii.gz`, shown as switchable overlays. */
  attention?: string;
  /** Port on 127.0.0.1; default 8765 (or any free port when that one is taken); 0 = any free port. */
  port?: number;
  /** Label names overriding those found beside the segmentation. */
  labelNames?: Record<number, string>;
  /** SeriesInstanceUID when the DICOM folder holds several series. */
  series?: string;
}

export interface Viewer {
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_VIEWER_PORT = 8765;

/** What a URL serves: a file from the allow-list, or bytes made here. */
type Route = { type: string; file: string } | { type: string; bytes: Uint8Array | string };

const NIFTI = /\.nii(\.gz)?$/i;
const ATTENTION = /^attention_(.+)\.nii(\.gz)?$/i;

/** The path of niivue's self-contained ES module bundle in node_modules. */
export function niivueBundlePath(): string {
  // The package exports only its npm entry point; the browser bundle sits two folders above it.
  const entry = fileURLToPath(import.meta.resolve('@niivue/niivue'));
  const bundle = join(dirname(entry), '..', '..', 'dist', 'index.js');
  if (!existsSync(bundle))
    throw new Error(`niivue's browser bundle not found at ${bundle} (run npm install)`);
  return bundle;
}

/** Starts the viewer; resolves once it listens. `close()` stops it and drops open connections. */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const routes = new Map<string, Route>();
  const config = await buildConfig(options, routes);
  routes.set('/', { type: 'text/html; charset=utf-8', bytes: viewerPage(config) });
  routes.set('/niivue.js', { type: 'text/javascript; charset=utf-8', file: niivueBundlePath() });

  let port = 0;
  const server = createServer((request, response) => serve(request, response, routes, port));
  port = await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function listen(
  server: ReturnType<typeof createServer>,
  requested: number | undefined,
): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
      throw new InputError(`--port must be an integer from 0 to 65535, got ${requested}`);
    }
    try {
      return await attempt(requested);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new InputError(`port ${requested} is in use (pass another --port, or 0 for any free port)`);
      }
      throw error;
    }
  }
  try {
    return await attempt(DEFAULT_VIEWER_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return attempt(0);
  }
}

function serve(
  request: IncomingMessage,
  response: ServerResponse,
  routes: Map<string, Route>,
  port: number,
): void {
  // Only this machine's own names: a page elsewhere cannot reach the files by DNS rebinding.
  const host = request.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  // Exact match against the allow-list; no part of the URL ever becomes a file path.
  const path = (request.url ?? '/').split('?')[0]!;
  const route = routes.get(path);
  if (!route) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const headers = {
    'content-type': route.type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if ('bytes' in route) {
    const body = typeof route.bytes === 'string' ? Buffer.from(route.bytes) : route.bytes;
    response.writeHead(200, { ...headers, 'content-length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  let size: number;
  try {
    size = statSync(route.file).size;
  } catch {
    response.writeHead(410, { 'content-type': 'text/plain' }).end('file is gone\n');
    return;
  }
  response.writeHead(200, { ...headers, 'content-length': size });
  if (request.method === 'HEAD') response.end();
  else
    createReadStream(route.file)
      .on('error', () => response.destroy())
      .pipe(response);
}

/** Reads and checks the inputs, registers their URLs in `routes`, and returns the page's configuration. */
async function buildConfig(options: ViewerOptions, routes: Map<string, Route>): Promise<ViewerPageConfig> {
  const volume = await readVolume(
    options.volume,
    options.series === undefined ? {} : { series: options.series },
  );
  const volumeUrl = addVolumeRoute(routes, 'volume', options.volume, volume);
  const config: ViewerPageConfig = {
    title: basename(options.volume),
    volume: { ...volumeUrl, window: displayWindow(volume) },
    attention: [],
    niivue: '/niivue.js',
  };
  if (options.seg !== undefined) {
    const seg = await readVolume(options.seg);
    const { values, centroids } = labelCentroids(seg, options.seg);
    const names = options.labelNames ?? readLabelNames(options.seg);
    config.seg = {
      ...addVolumeRoute(routes, 'seg', options.seg, seg),
      legend: legendFor(values, names),
      centroids,
    };
  }
  if (options.attention !== undefined) {
    const dir = options.attention;
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw fileError(dir, 'attention maps folder not found');
    const files = readdirSync(dir)
      .filter((f) => ATTENTION.test(f))
      .sort();
    if (files.length === 0)
      throw fileError(dir, 'no attention maps in it (expected attention_<tag>.nii.gz files)');
    files.forEach((file, i) => {
      const tag = ATTENTION.exec(file)![1]!.replace(/_/g, ' ');
      const url = `/files/attention/${i}/${encodeURIComponent(file)}`;
      routes.set(url, { type: 'application/octet-stream', file: join(dir, file) });
      config.attention.push({ url, name: file, tag });
    });
  }
  return config;
}

/** Serves a NIfTI input as its own file; a DICOM series is converted to NIfTI in memory. */
function addVolumeRoute(routes: Map<string, Route>, kind: string, path: string, volume: Volume) {
  const name = NIFTI.test(path) ? basename(path) : `${basename(path)}.nii`;
  const url = `/files/${kind}/${encodeURIComponent(name)}`;
  routes.set(
    url,
    NIFTI.test(path)
      ? { type: 'application/octet-stream', file: path }
      : { type: 'application/octet-stream', bytes: encodeNifti(volume) },
  );
  return { url, name };
}

/** A soft-tissue window (W400/L40) for CT in Hounsfield units; niivue's robust range otherwise. */
function displayWindow(volume: Volume): [number, number] | undefined {
  let min = Infinity;
  const data = volume.data;
  const n = voxelCount(volume);
  for (let i = 0; i < n; i++) if (data[i]! < min) min = data[i]!;
  return min <= -500 ? [-160, 240] : undefined;
}

/** The label values of a segmentation and each label's centre (RAS mm), for the legend's "go to". */
function labelCentroids(seg: Volume, path: string) {
  const [nx = 1, ny = 1] = seg.dims;
  const sums = new Map<number, [number, number, number, number]>();
  const n = voxelCount(seg);
  for (let v = 0; v < n; v++) {
    const value = seg.data[v]!;
    if (value === 0) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw fileError(path, `not a label map: voxel value ${value} is not a non-negative integer`);
    }
    let s = sums.get(value);
    if (!s) sums.set(value, (s = [0, 0, 0, 0]));
    s[0] += v % nx;
    s[1] += Math.floor(v / nx) % ny;
    s[2] += Math.floor(v / (nx * ny));
    s[3] += 1;
  }
  const centroids: Record<number, [number, number, number]> = {};
  for (const [value, [i, j, k, count]] of sums) {
    const ijk = [i / count, j / count, k / count, 1];
    centroids[value] = [0, 1, 2].map((r) => seg.affine[r]!.reduce((acc, a, c) => acc + a * ijk[c]!, 0)) as [
      number,
      number,
      number,
    ];
  }
  return { values: [...sums.keys()], centroids };
}

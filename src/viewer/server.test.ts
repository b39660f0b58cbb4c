import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { decodeNifti, writeNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';
import type { ViewerPageConfig } from './page.js';
import { startViewer, type Viewer } from './server.js';

/** A raw GET (fetch would normalise "..", which is exactly what must be tried). */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const { port } = new URL(url);
  return new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function pageConfig(html: string): ViewerPageConfig {
  const json = /<script type="application\/json" id="config">(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json) as ViewerPageConfig;
}

describe('startViewer', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mosmos-viewer-'));
  const ct = join(tmp, 'ct.nii.gz');
  const seg = join(tmp, 'seg.nii.gz');
  let viewer: Viewer;

  before(async () => {
    const dims = [8, 6, 4];
    const affine = [
      [2, 0, 0, -8],
      [0, 2, 0, -6],
      [0, 0, 3, 0],
      [0, 0, 0, 1],
    ];
    const image: Volume = {
      data: new Int16Array(192).fill(-1000),
      dims,
      spacing: [2, 2, 3],
      affine,
      datatype: 'int16',
    };
    const labels = new Uint8Array(192);
    labels[0] = 6;
    labels[1] = 6;
    labels[191] = 1;
    await writeNifti(ct, image);
    await writeNifti(seg, { ...image, data: labels, datatype: 'uint8' });
    mkdirSync(join(tmp, 'maps'));
    await writeNifti(join(tmp, 'maps', 'attention_right_kidney.nii.gz'), {
      ...image,
      data: new Float32Array(192),
      datatype: 'float32',
    });
    writeFileSync(join(tmp, 'maps', 'notes.txt'), 'not a map');
    viewer = await startViewer({ volume: ct, seg, attention: join(tmp, 'maps'), port: 0 });
  });
  after(async () => {
    await viewer?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and serves the page with the legend, window and attention maps', async () => {
    assert.match(viewer.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(viewer.url, '/');
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    const config = pageConfig(page.body.toString());
    assert.deepEqual(
      config.seg?.legend.map((e) => e.name),
      ['spleen', 'liver'],
    );
    // Label 6 is voxels (0,0,0) and (1,0,0): centre i = 0.5 → x = 2·0.5 − 8.
    assert.deepEqual(config.seg?.centroids[6], [-7, -6, 0]);
    assert.deepEqual(config.volume.window, [-160, 240]);
    assert.deepEqual(
      config.attention.map((a) => a.tag),
      ['right kidney'],
    );
    assert.ok(!page.body.toString().includes('https://'), 'the page must not load anything from the network');
  });

  it('serves exactly the named files and niivue’s bundle', async () => {
    const config = pageConfig((await get(viewer.url, '/')).body.toString());
    const volume = await get(viewer.url, config.volume.url);
    assert.equal(volume.status, 200);
    assert.deepEqual(volume.body, readFileSync(ct));
    const map = await get(viewer.url, config.attention[0]!.url);
    assert.equal(map.status, 200);
    const niivue = await get(viewer.url, '/niivue.js');
    assert.equal(niivue.status, 200);
    assert.match(niivue.type, /javascript/);
    assert.match(niivue.body.toString('utf8', niivue.body.length - 2000), /Niivue/);
  });

  it('refuses everything else: other paths, traversal, other hosts, other methods', async () => {
    for (const path of [
      '/files/volume/../../etc/passwd',
      '/files/volume/..%2F..%2F..%2Fetc%2Fpasswd',
      '/etc/passwd',
      `/${tmp}/ct.nii.gz`,
      '/files/attention/0/notes.txt',
      '/files/attention/1/attention_right_kidney.nii.gz',
    ]) {
      assert.equal((await get(viewer.url, path)).status, 404, path);
    }
    assert.equal((await get(viewer.url, '/', { host: 'evil.example:80' })).status, 403);
    assert.equal((await get(viewer.url, '/', {}, 'POST')).status, 405);
  });

  it('rejects bad inputs with errors naming the file', async () => {
    await assert.rejects(
      startViewer({ volume: join(tmp, 'missing.nii.gz'), port: 0 }),
      /missing\.nii\.gz: no such file/,
    );
    await assert.rejects(
      startViewer({ volume: ct, attention: join(tmp, 'nowhere'), port: 0 }),
      /nowhere: attention/,
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await assert.rejects(startViewer({ volume: ct, attention: empty, port: 0 }), /no attention maps/);
    const floats = join(tmp, 'float-seg.nii.gz');
    await writeNifti(floats, {
      data: new Float32Array(192).fill(0.5),
      dims: [8, 6, 4],
      spacing: [2, 2, 3],
      affine: [
        [2, 0, 0, 0],
        [0, 2, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 1],
      ],
      datatype: 'float32',
    });
    await assert.rejects(
      startViewer({ volume: ct, seg: floats, port: 0 }),
      /float-seg\.nii\.gz: not a label map/,
    );
  });

  it('reports a taken port instead of silently moving', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startViewer({ volume: ct, port }), new RegExp(`port ${port} is in use`));
    } finally {
      blocker.close();
    }
  });

  it('converts a DICOM series to NIfTI for the page', { skip: sharedDataSkip() }, async () => {
    const dicom = await startViewer({ volume: sharedData('ct-dicom-series', 'series'), port: 0 });
    try {
      const config = pageConfig((await get(dicom.url, '/')).body.toString());
      assert.equal(config.volume.name, 'series.nii');
      const bytes = (await get(dicom.url, config.volume.url)).body;
      const volume = decodeNifti(bytes, 'served');
      assert.deepEqual(volume.dims.slice(0, 3), [512, 512, 20]);
    } finally {
      await dicom.close();
    }
  });
});

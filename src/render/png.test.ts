import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { encodePng } from '../io/png.js';
import type { Volume } from '../volume/volume.js';
import { renderAxialSlice, tileImages } from './slice-montage.js';
import { lineChartSvg } from './svg-chart.js';

test('encodePng writes a valid PNG whose pixels inflate back unchanged', () => {
  const data = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
  const png = encodePng({ width: 3, height: 2, data });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(view.getUint32(16), 3);
  assert.equal(view.getUint32(20), 2);
  const idatLength = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  assert.equal(raw.length, 2 * (3 * 4 + 1));
  assert.deepEqual([...raw.subarray(1, 13)], [...data.subarray(0, 12)]);
});

test('renderAxialSlice shows the patient right on the viewer left and anterior at the top', () => {
  // RAS volume 2×2×1: voxel i=1 (patient right) j=1 (anterior) is bright.
  const volume: Volume = {
    data: new Float32Array([0, 0, 0, 100]),
    dims: [2, 2, 1],
    spacing: [1, 1, 1],
    affine: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    datatype: 'float32',
  };
  const image = renderAxialSlice(volume, 0, { window: [0, 100] });
  assert.equal(image.data[0], 255, 'top-left pixel is the right-anterior voxel');
  assert.equal(image.data[4], 0);
  const tiled = tileImages([image, image], 2, 1);
  assert.equal(tiled.width, 2 * 2 + 3);
});

test('lineChartSvg draws one path per series', () => {
  const svg = lineChartSvg(
    [
      {
        name: 'a',
        points: [
          [0, 1],
          [1, 0.5],
        ],
        color: '#f00',
      },
      {
        name: 'b<',
        points: [
          [0, 2],
          [1, 1],
        ],
        color: '#00f',
      },
    ],
    { title: 'loss', xLabel: 'epoch', yLabel: 'loss' },
  );
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.ok(svg.includes('b&lt;'));
});

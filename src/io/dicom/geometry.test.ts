import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SliceGeometry, StackError, stackSlices } from './geometry.js';

const axial: SliceGeometry['orientation'] = [1, 0, 0, 0, 1, 0];

function slice(z: number, x = -100, y = -120, orientation = axial): SliceGeometry {
  return { position: [x, y, z], orientation, pixelSpacing: [0.5, 0.75] };
}

// Affines are compared to 1e-9 mm: they are sums of a few exact products of the inputs.
function assertAffine(actual: number[][], expected: number[][]) {
  actual.forEach((row, r) => {
    row.forEach((v, c) => {
      assert.ok(
        Math.abs(v - expected[r]![c]!) < 1e-9,
        `affine[${r}][${c}] = ${v}, expected ${expected[r]![c]}`,
      );
    });
  });
}

test('slices are sorted along the normal whatever the file order', () => {
  const stack = stackSlices([slice(6), slice(0), slice(4), slice(2)], 10);
  assert.deepEqual(stack.order, [1, 3, 2, 0]);
  assert.equal(stack.sliceSpacing, 2);
  assert.equal(stack.tiltDegrees, 0);
  // LPS→RAS negates x and y; j runs up the image, so its origin is the last DICOM row.
  assertAffine(stack.affine, [
    [-0.75, 0, 0, 100],
    [0, 0.5, 0, 120 - 0.5 * 9],
    [0, 0, 2, 0],
    [0, 0, 0, 1],
  ]);
});

test('a sagittal stack sorts along its own normal (row × column)', () => {
  // Rows along +y (posterior in LPS), columns along −z: normal = (+y) × (−z) = −x, so k runs to −x.
  const sagittal: SliceGeometry['orientation'] = [0, 1, 0, 0, 0, -1];
  const stack = stackSlices(
    [slice(0, 3, 0, sagittal), slice(0, 1, 0, sagittal), slice(0, 2, 0, sagittal)],
    4,
  );
  assert.deepEqual(stack.order, [0, 2, 1]);
  assert.equal(stack.sliceSpacing, 1);
});

test('a missing slice is refused with its position', () => {
  assert.throws(
    () => stackSlices([slice(0), slice(2), slice(4), slice(8), slice(10)], 10),
    (e: Error) =>
      e instanceof StackError &&
      /missing slice: gap of 4 mm \(typical 2 mm\) between slice 3 and 4 of 5/.test(e.message),
  );
});

test('uneven spacing and duplicate positions are refused', () => {
  assert.throws(
    () => stackSlices([slice(0), slice(2), slice(4), slice(5.5), slice(7.5)], 10),
    /inconsistent slice spacing/,
  );
  assert.throws(() => stackSlices([slice(0), slice(2), slice(2)], 10), /two slices at the same position/);
});

test('slices with different orientation or pixel spacing are not one volume', () => {
  const tilted: SliceGeometry['orientation'] = [1, 0, 0, 0, 0.98, 0.198997];
  assert.throws(
    () => stackSlices([slice(0), slice(2, -100, -120, tilted)], 10),
    /different ImageOrientationPatient/,
  );
  const other = { ...slice(2), pixelSpacing: [0.6, 0.75] as [number, number] };
  assert.throws(() => stackSlices([slice(0), other], 10), /different PixelSpacing/);
});

test('gantry tilt: origins on a straight oblique line give an exact sheared affine', () => {
  // Each slice moves 2 mm in z and 0.5 mm in y: a tilt of atan(0.5 / 2) ≈ 14.04°.
  const stack = stackSlices(
    [0, 1, 2, 3].map((k) => slice(2 * k, -100, -120 + 0.5 * k)),
    10,
  );
  assert.ok(Math.abs(stack.tiltDegrees - (Math.atan(0.25) * 180) / Math.PI) < 1e-9);
  assert.equal(stack.sliceSpacing, 2);
  assert.deepEqual(
    stack.affine.map((r) => r[2]),
    [0, -0.5, 2, 0],
  );
});

test('origins that do not lie on one line are refused', () => {
  const wobbly = [slice(0), slice(2, -100, -119), slice(4), slice(6)];
  assert.throws(() => stackSlices(wobbly, 10), /off the line/);
});

test('a single slice takes the given thickness as its spacing', () => {
  const stack = stackSlices([slice(5)], 10, 3);
  assert.equal(stack.sliceSpacing, 3);
  assert.deepEqual(
    stack.affine.map((r) => r[2]),
    [0, 0, 3, 0],
  );
});

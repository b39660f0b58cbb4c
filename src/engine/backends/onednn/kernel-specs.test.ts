import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeKernelSpecs } from './kernel-specs.js';
import { skipReason, tryNative } from './kernel-test-support.js';

const native = tryNative();

test('every declared kernel exists in the addon and names a missing option', {
  skip: skipReason(native),
}, () => {
  if (typeof native === 'string') return;
  const addon = native.addon as unknown as Record<string, (inputs: unknown[], options: object) => unknown>;
  for (const [name, spec] of Object.entries(nativeKernelSpecs)) {
    assert.equal(typeof addon[name], 'function', `addon lacks ${name}`);
    if ((spec.options as readonly string[]).length === 0) continue;
    // All options but the last: the binding must read options by name and say which one is missing.
    const options = Object.fromEntries(spec.options.slice(0, -1).map((o) => [o, 0]));
    const missing = spec.options.at(-1)!;
    assert.throws(
      () => addon[name]!([], options),
      (error: Error) => error.message.includes(name) || error.message.includes(missing),
      `${name} without '${missing}'`,
    );
  }
});

test('convForward reads its options by name: a missing one is reported by name', {
  skip: skipReason(native),
}, () => {
  if (typeof native === 'string') return;
  const { addon } = native;
  const x = addon.fromFloat32(new Float32Array(16), [1, 1, 4, 4]);
  const w = addon.fromFloat32(new Float32Array(9), [1, 1, 3, 3]);
  const options = { stride: [1, 1], dilation: [1, 1], padL: [1, 1], padR: [1, 1], transposed: false };
  const y = addon.convForward([x, w, null], options);
  assert.deepEqual(addon.dims(y), [1, 1, 4, 4]);
  const { padR: _, ...withoutPadR } = options;
  assert.throws(
    () => addon.convForward([x, w, null], withoutPadR as typeof options),
    /convForward: option 'padR' missing/,
  );
  for (const h of [x, w, y]) addon.dispose(h);
});

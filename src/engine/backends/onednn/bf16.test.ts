import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bf16SupportForIsa } from '../../precision-support.js';
import { engineSettings } from '../../settings.js';
import { configureAddon } from './addon.js';
import { skipReason, tryNative } from './kernel-test-support.js';

const native = tryNative();
const support = typeof native === 'string' ? null : bf16SupportForIsa(native.addon.cpuIsa());
const skip =
  skipReason(native) || (support && !support.supported ? `bf16 not run here: ${support.reason}` : false);

// bf16 keeps 8 bits of mantissa: a 144-term dot product of values ~1 is good to ~1e-2 relative.
// Known failure, kept visible: on an AVX-512-bf16 EPYC (2026-12-07) the convolution was 5.9e-2 off, so
// `auto` no longer picks bf16 (precision-support.ts); bf16 must pass this before it is made default again.
const todo = 'bf16 convolution measured 5.9e-2 relative on AVX-512-bf16; auto stays fp32 until fixed';
test('bf16 convolution and matmul agree with fp32 within bf16 tolerance (2e-2 relative)', {
  skip,
  todo,
}, () => {
  if (typeof native === 'string') return;
  const { addon } = native;
  const x = addon.fromFloat32(
    Float32Array.from({ length: 2 * 16 * 8 * 8 }, (_, i) => Math.sin(i)),
    [2, 16, 8, 8],
  );
  const w = addon.fromFloat32(
    Float32Array.from({ length: 16 * 16 * 9 }, (_, i) => Math.cos(i) * 0.1),
    [16, 16, 3, 3],
  );
  const a = addon.fromFloat32(
    Float32Array.from({ length: 6 * 32 }, (_, i) => Math.sin(i * 0.7)),
    [6, 32],
  );
  const b = addon.fromFloat32(
    Float32Array.from({ length: 32 * 5 }, (_, i) => Math.cos(i * 0.3)),
    [32, 5],
  );
  const geometry = { stride: [1, 1], dilation: [1, 1], padL: [1, 1], padR: [1, 1], transposed: false };
  const run = (precision: 'fp32' | 'bf16') => {
    addon.configure([], { threads: 2, bufferCacheMb: 256, precision });
    const y = addon.convForward([x, w, null], geometry);
    const m = addon.matmul([a, b], { transposeA: false, transposeB: false });
    return [addon.toFloat32(y), addon.toFloat32(m)];
  };
  try {
    const [y32, m32] = run('fp32');
    const [y16, m16] = run('bf16');
    for (const [got, want, what] of [
      [y16!, y32!, 'conv'],
      [m16!, m32!, 'matmul'],
    ] as const) {
      const scale = Math.max(...want.map(Math.abs));
      const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
      assert.ok(worst / scale < 2e-2, `${what}: relative error ${worst / scale}`);
      assert.ok(worst > 0, `${what}: bf16 gave bit-identical results (did it run in fp32?)`);
    }
  } finally {
    configureAddon(addon, engineSettings(), 'fp32');
  }
});

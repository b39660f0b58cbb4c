import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const engineIndex = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'index.ts');

// A small training-shaped computation; prints the backend used and a checksum.
const script = `
import { conv2d, relu, maxPool2d, randn, sum, backward, getBackend, seed, parameter } from ${JSON.stringify(engineIndex)};
seed(1);
const x = randn([2, 3, 8, 8]);
const w = randn([4, 3, 3, 3]);
w.requiresGrad = true;
const loss = sum(maxPool2d(relu(conv2d(x, w, null, { padding: 1 })), 2));
backward(loss);
console.log(JSON.stringify({ backend: getBackend().name, loss: loss.item(), grad: w.grad.data()[0] }));
`;

function run(env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('without the addon the engine runs on the reference backend with exactly one warning', () => {
  const r = run({ MOSMOS_NATIVE_ADDON: '/nonexistent/mosmos_dnnl.node', MOSMOS_BACKEND: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).backend, 'reference');
  const warnings = r.stderr.split('\n').filter((line) => line.includes('mosmos:'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /reference backend/);
});

test('MOSMOS_BACKEND=reference and the native backend give the same result', () => {
  const reference = run({ MOSMOS_BACKEND: 'reference' });
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(reference.stderr.trim(), '', 'a forced choice needs no warning');
  const native = run({ MOSMOS_BACKEND: '' });
  assert.equal(native.status, 0, native.stderr);
  const a = JSON.parse(reference.stdout);
  const b = JSON.parse(native.stdout);
  if (b.backend !== 'onednn') return; // addon not built here: nothing more to compare
  // Tolerance: float32 sums over 256 pooled values and 27-term dot products, in another order.
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-4 * Math.abs(a.loss), `loss ${a.loss} vs ${b.loss}`);
  assert.ok(Math.abs(a.grad - b.grad) <= 1e-4 * Math.max(1, Math.abs(a.grad)), `grad ${a.grad} vs ${b.grad}`);
});

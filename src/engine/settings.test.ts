import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const engineIndex = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');

function run(script: string, env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: merged,
    encoding: 'utf8',
  });
}

test('importing the engine changes no environment variable and loads no addon', () => {
  const script = `
const before = JSON.stringify(process.env);
const engine = await import(${JSON.stringify(engineIndex)});
const afterImport = JSON.stringify(process.env);
const { readFileSync } = await import('node:fs');
const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes('mosmos_dnnl');
const loadedAtImport = mapped();
engine.randn([2, 2]);
console.log(JSON.stringify({ importSame: before === afterImport, useSame: before === JSON.stringify(process.env), loadedAtImport, loadedAtUse: mapped(), backend: engine.getBackend().name }));
`;
  const r = run(script, { OMP_WAIT_POLICY: undefined, GOMP_SPINCOUNT: undefined, MOSMOS_BACKEND: undefined });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.importSame, true, 'import changed the environment');
  assert.equal(out.useSame, true, 'first use changed the environment');
  assert.equal(out.loadedAtImport, false);
  if (out.backend === 'onednn') assert.equal(out.loadedAtUse, true);
});

test('MOSMOS_THREADS and MOSMOS_PRECISION are read and checked in one place', () => {
  const ok = run(
    `const e = await import(${JSON.stringify(engineIndex)}); const s = e.engineSettings(); console.log(JSON.stringify([s.threads, s.precision]));`,
    { MOSMOS_THREADS: '3', MOSMOS_PRECISION: 'fp32' },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout.trim()), [3, 'fp32']);
  const bad = run(`const e = await import(${JSON.stringify(engineIndex)}); e.engineSettings();`, {
    MOSMOS_PRECISION: 'fp16',
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /MOSMOS_PRECISION 'fp16': expected auto, bf16 or fp32/);
});

test('an explicit bf16 where the CPU lacks it is an error that says why; auto falls back to fp32', () => {
  const script = `
const e = await import(${JSON.stringify(engineIndex)});
const support = e.bf16Support();
let explicit = null;
try { e.resolvePrecision('bf16'); explicit = 'bf16'; } catch (error) { explicit = error.message; }
console.log(JSON.stringify({ support, auto: e.resolvePrecision('auto'), explicit }));
`;
  const r = run(script);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  // auto is fp32 everywhere until bf16 passes its accuracy test (precisionFor).
  assert.equal(out.auto, 'fp32');
  if (out.support.supported) {
    assert.equal(out.explicit, 'bf16');
  } else {
    assert.match(out.explicit, /--precision bf16 is not available: .*(avx512_bf16|float32 only)/);
  }
});

// Tensor-engine benchmark: single convolution layers and U-Net training steps / inference on the
// active backend (oneDNN when built), against PyTorch on the same machine when Debian's
// /usr/bin/python3 has torch (bench/engine_torch.py, same architectures and timing protocol:
// warm-up, then the median of N runs, 2 threads).
//
//   npm run bench:engine [-- --json] [-- --case NAME] [-- --rounds N] [-- --no-torch] [-- --profile]
//
// Every case runs in its own process so its peak resident memory is its own, alternating with
// PyTorch's for N rounds (default 3). --json prints one object per line: name, ms (median),
// gflops (convolutions), peak_rss_mb, and with PyTorch torch_ms, torch_peak_rss_mb and
// ratio = ms / torch_ms (median over rounds of neighbouring runs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdamW,
  backward,
  conv2d,
  conv3d,
  getBackend,
  getKernel,
  noGrad,
  randn,
  registeredKernels,
  registerKernel,
  runKernel1,
  seed,
  type Tensor,
  tidy,
} from '../src/engine/index.js';
import { createUNet, crossEntropy, forwardUNet, randomOneHot } from './engine-unet.js';

interface CaseResult {
  name: string;
  ms: number;
  gflops?: number;
  peak_rss_mb: number;
  backend: string;
  omp_wait_policy: string;
  torch_ms?: number;
  torch_peak_rss_mb?: number;
  ratio?: number;
  rounds?: number;
}

interface BenchCase {
  warmup: number;
  repeats: number;
  /** Prepares inputs; returns the timed function and its floating-point operation count. */
  setup: () => { run: () => void; flops?: number };
}

function convCase(dims: 2 | 3, kind: 'fwd' | 'bwd_data' | 'bwd_weights'): BenchCase {
  return {
    warmup: 3,
    repeats: 10,
    setup: () => {
      const [xShape, wShape] =
        dims === 2
          ? [
              [4, 32, 128, 128],
              [32, 32, 3, 3],
            ]
          : [
              [1, 16, 64, 64, 64],
              [16, 16, 3, 3, 3],
            ];
      const conv = dims === 2 ? conv2d : conv3d;
      const ones = new Array<number>(dims).fill(1);
      const attrs = { stride: ones, padding: ones, dilation: ones };
      // Inputs as they are inside a network: outputs of a previous convolution, so in the layout
      // the backend keeps between layers.
      const identity = randn([xShape[1]!, xShape[1]!, ...ones], { std: 0.2 });
      const x = noGrad(() => conv(randn(xShape), identity));
      const w = randn(wShape, { std: 0.05 });
      const dy = noGrad(() => conv(randn(xShape), identity));
      const spatial = xShape.slice(2).reduce((p, d) => p * d, 1);
      const flops = 2 * xShape[0]! * spatial * wShape.slice(1).reduce((p, d) => p * d, 1) * wShape[0]!;
      const name = dims === 2 ? 'Conv2D' : 'Conv3D';
      const run =
        kind === 'fwd'
          ? () => runKernel1(name, [x, w], attrs).dispose()
          : kind === 'bwd_data'
            ? () => runKernel1(`${name}BackpropInput`, [dy, w], { ...attrs, inputShape: xShape }).dispose()
            : () => runKernel1(`${name}BackpropFilter`, [x, dy], { ...attrs, filterShape: wShape }).dispose();
      return { run, flops };
    },
  };
}

function unetCase(dims: 2 | 3, train: boolean): BenchCase {
  return {
    warmup: dims === 2 ? 3 : 2,
    repeats: dims === 2 ? 10 : 5,
    setup: () => {
      const net =
        dims === 2 ? createUNet(2, [16, 32, 64, 128], 1, 14) : createUNet(3, [8, 16, 32, 64], 1, 14);
      const shape = dims === 2 ? [4, 1, 128, 128] : [1, 1, 64, 64, 64];
      const x = randn(shape);
      const target = randomOneHot([shape[0]!, 14, ...shape.slice(2)], 1);
      if (!train) return { run: () => tidy(() => noGrad(() => void forwardUNet(net, x, false))) };
      const optimizer = new AdamW(net.parameters, { lr: 1e-3 });
      return {
        run: () =>
          tidy(() => {
            optimizer.zeroGrad();
            backward(crossEntropy(forwardUNet(net, x, true), target));
            optimizer.step();
          }),
      };
    },
  };
}

const cases: Record<string, BenchCase> = {
  conv2d_fwd: convCase(2, 'fwd'),
  conv2d_bwd_data: convCase(2, 'bwd_data'),
  conv2d_bwd_weights: convCase(2, 'bwd_weights'),
  conv3d_fwd: convCase(3, 'fwd'),
  conv3d_bwd_data: convCase(3, 'bwd_data'),
  conv3d_bwd_weights: convCase(3, 'bwd_weights'),
  unet2d_train_step: unetCase(2, true),
  unet2d_inference: unetCase(2, false),
  unet3d_train_step: unetCase(3, true),
  unet3d_inference: unetCase(3, false),
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wraps every registered kernel of the active backend (and the reference fallbacks) with a timer. */
function installProfiler(): Map<string, { ms: number; calls: number }> {
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const backendName of new Set([getBackend().name, 'reference'])) {
    for (const kernelName of registeredKernels(backendName)) {
      const name = kernelName as Parameters<typeof getKernel>[1];
      const kernel = getKernel(backendName, name)!;
      const label = `${backendName}/${kernelName}`;
      registerKernel(backendName, name, (inputs, attrs, backend) => {
        const start = performance.now();
        const out = kernel(inputs, attrs as never, backend);
        const entry = totals.get(label) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - start;
        entry.calls++;
        totals.set(label, entry);
        return out;
      });
    }
  }
  return totals;
}

function runCase(name: string, profile: boolean): CaseResult {
  const c = cases[name];
  if (c === undefined) throw new Error(`unknown case '${name}'; known: ${Object.keys(cases).join(', ')}`);
  seed(0);
  const { run, flops } = c.setup();
  for (let i = 0; i < c.warmup; i++) run();
  const totals = profile ? installProfiler() : null;
  const times: number[] = [];
  for (let i = 0; i < c.repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  if (totals !== null) {
    const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
    for (const [label, t] of rows.slice(0, 25)) {
      process.stderr.write(
        `${label.padEnd(36)} ${(t.ms / c.repeats).toFixed(2).padStart(9)} ms/run ${String(t.calls / c.repeats).padStart(6)} calls/run\n`,
      );
    }
  }
  const ms = median(times);
  const result: CaseResult = {
    name,
    ms: Math.round(ms * 1000) / 1000,
    omp_wait_policy: process.env.OMP_WAIT_POLICY ?? 'default',
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    backend: getBackend().name,
  };
  if (flops !== undefined) result.gflops = Math.round(flops / ms / 1e5) / 10;
  return result;
}

const TORCH_PYTHON = '/usr/bin/python3';

function torchAvailable(): boolean {
  return spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch(name: string): { ms: number; peak_rss_mb: number } | null {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'engine_torch.py');
  const r = spawnSync(TORCH_PYTHON, [script, '--case', name], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`bench: PyTorch case ${name} failed: ${r.stderr.trim().split('\n').pop()}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; peak_rss_mb: number };
}

function main(argv: string[]): void {
  // Both sides run on libgomp: give PyTorch the same OpenMP wait policy the oneDNN backend sets
  // for itself (src/engine/backends/onednn/addon.ts), so the comparison is like for like.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = 'passive';
  }
  const json = argv.includes('--json');
  const profile = argv.includes('--profile');
  const only = argv.includes('--case') ? argv[argv.indexOf('--case') + 1] : undefined;
  if (argv.includes('--child')) {
    console.log(JSON.stringify(runCase(only!, profile)));
    return;
  }
  const withTorch = !argv.includes('--no-torch') && torchAvailable();
  if (!withTorch && !json) console.log('(PyTorch not found at /usr/bin/python3: no comparison)');
  const names = only !== undefined ? [only] : Object.keys(cases);
  const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 3;
  const self = fileURLToPath(import.meta.url);
  if (!json) {
    console.log(
      `${'case'.padEnd(20)} ${'ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'torch ms'.padStart(9)} ${'ratio'.padStart(6)} ${'RSS MB'.padStart(7)} ${'torch RSS'.padStart(9)}`,
    );
  }
  for (const name of names) {
    // The machine may be shared: run our case and PyTorch's alternately, `rounds` times, and
    // take the median ratio of neighbouring runs rather than comparing distant moments.
    const childArgs = ['--import', 'tsx', self, '--child', '--case', name, ...(profile ? ['--profile'] : [])];
    const ours: CaseResult[] = [];
    const theirs: { ms: number; peak_rss_mb: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      const child = spawnSync(process.execPath, childArgs, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (child.status !== 0) throw new Error(`bench case ${name} failed`);
      ours.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as CaseResult);
      const torch = withTorch ? runTorch(name) : null;
      if (torch !== null) theirs.push(torch);
    }
    const result: CaseResult = { ...ours[0]!, ms: median(ours.map((r) => r.ms)) };
    result.peak_rss_mb = Math.max(...ours.map((r) => r.peak_rss_mb));
    if (result.gflops !== undefined) result.gflops = median(ours.map((r) => r.gflops!));
    if (theirs.length === ours.length && theirs.length > 0) {
      result.torch_ms = median(theirs.map((t) => t.ms));
      result.torch_peak_rss_mb = Math.max(...theirs.map((t) => t.peak_rss_mb));
      result.ratio = Math.round(median(ours.map((r, i) => r.ms / theirs[i]!.ms)) * 1000) / 1000;
      result.rounds = rounds;
    }
    if (json) console.log(JSON.stringify(result));
    else {
      const cell = (v: number | undefined, width: number, digits = 1) =>
        (v === undefined ? '-' : v.toFixed(digits)).padStart(width);
      console.log(
        `${name.padEnd(20)} ${cell(result.ms, 9)} ${cell(result.gflops, 8)} ${cell(result.torch_ms, 9)} ${cell(result.ratio, 6, 2)} ${cell(result.peak_rss_mb, 7, 0)} ${cell(result.torch_peak_rss_mb, 9, 0)}`,
      );
    }
  }
}

main(process.argv.slice(2));

export type { Tensor };

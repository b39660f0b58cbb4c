// Engine benchmark on the product's own networks (bench/engine-networks.ts): training steps and
// inference of the 2D U-Net with attention maps (demo plan and a real-CT plan), the 3D U-Net of
// `finetune --arch unet3d` (nn/unet3d.ts, deep supervision), UNETR tiny and small, and the text
// encoder, against PyTorch on the same machine in the same run when Debian's /usr/bin/python3 has
// torch (bench/engine_torch.py: the same layers, 2 threads, OMP_WAIT_POLICY=passive on both
// sides). Also the cost of segmenting a whole 512×512×300 CT (bench/engine-scan.ts) and the share
// of a fine-tuning step spent waiting for data (bench/engine-data.ts).
//
//   npm run bench:engine [-- --json] [-- --case NAME] [-- --rounds N] [-- --no-torch] [-- --profile]
//                        [-- --precision fp32|bf16|both] [-- --scan-slices N]
//                        [-- --size D,H,W | H,W] [-- --batch N]   (U-Net cases only: a smaller check)
//
// Every case runs in its own process (so peak RSS is its own), alternating with PyTorch's for
// N rounds (default 3); ms and torch_ms are medians over rounds, ratio = median of ms / torch_ms of
// neighbouring runs. --json prints one object per line and precision:
// {"name", "precision", "ms", "torch_ms", "ratio", "torch_bf16_ms", "peak_rss_mb", …}.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bf16Support,
  engineSettings,
  getBackend,
  getKernel,
  registeredKernels,
  registerKernel,
  resolvePrecision,
  seed,
} from '../src/engine/index.js';
import { buildNetworkCase, type NetworkSpec, resizedSpec } from './engine-networks.js';

type Precision = 'fp32' | 'bf16';

interface CaseResult {
  name: string;
  precision: Precision;
  ms: number | null;
  torch_ms?: number;
  ratio?: number;
  torch_bf16_ms?: number | null;
  peak_rss_mb: number;
  torch_peak_rss_mb?: number;
  parameters?: number;
  torch_parameters?: number;
  backend: string;
  threads: number;
  rounds?: number;
  /** Why a row has no figure (bf16 on a CPU without it). */
  skipped?: string;
  /** Extra figures of special cases (whole-scan, data wait). */
  [extra: string]: unknown;
}

interface BenchCase {
  warmup: number;
  repeats: number;
  /** The network key in networkSpecs (and engine_torch.py's --spec); absent: no PyTorch twin. */
  network?: string;
  /** Prepares inputs; returns the timed function. */
  setup: () => { run: () => void; parameters?: number };
}

const argvOption = (argv: string[], flag: string) =>
  argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined;

/** `--size` / `--batch` as given (forwarded to every child), for resizedSpec. */
const sizeArgs = (() => {
  const argv = process.argv.slice(2);
  const size = argvOption(argv, '--size');
  const batch = argvOption(argv, '--batch');
  return [
    ...(size === undefined ? [] : ['--size', size]),
    ...(batch === undefined ? [] : ['--batch', batch]),
  ];
})();

/** The network description of a case, with --size/--batch applied. */
function caseSpec(key: string): NetworkSpec {
  const size = argvOption(sizeArgs, '--size');
  const batch = argvOption(sizeArgs, '--batch');
  return resizedSpec(key, {
    size: size === undefined ? undefined : size.split(',').map(Number),
    batch: batch === undefined ? undefined : Number(batch),
  });
}

function networkCase(key: string, train: boolean, warmup: number, repeats: number): BenchCase {
  return {
    warmup,
    repeats,
    network: key,
    setup: () => {
      const c = buildNetworkCase(key, caseSpec(key));
      return { run: train ? c.trainStep : c.inference, parameters: c.parameters };
    },
  };
}

const cases: Record<string, BenchCase> = {
  unet2d_train_step: networkCase('unet2d', true, 2, 5),
  unet2d_inference: networkCase('unet2d', false, 2, 5),
  unet2d_ct_train_step: networkCase('unet2d_ct', true, 1, 3),
  unet2d_ct_inference: networkCase('unet2d_ct', false, 1, 3),
  unet3d_train_step: networkCase('unet3d', true, 1, 2),
  unet3d_inference: networkCase('unet3d', false, 1, 2),
  unetr_train_step: networkCase('unetr', true, 2, 5),
  unetr_inference: networkCase('unetr', false, 2, 5),
  unetr_small_train_step: networkCase('unetr_small', true, 1, 2),
  unetr_small_inference: networkCase('unetr_small', false, 1, 2),
  text_encoder_train_step: networkCase('text_encoder', true, 2, 6),
  text_encoder_inference: networkCase('text_encoder', false, 2, 6),
};

/** Cases with their own runner (one run each, no PyTorch twin); loaded lazily. */
const special: Record<string, () => Promise<Record<string, unknown>>> = {
  scan2d_inference: async () => (await import('./engine-scan.js')).scanCase('unet2d_ct'),
  scan3d_inference: async () => (await import('./engine-scan.js')).scanCase('unet3d'),
  data_wait: async () => (await import('./engine-data.js')).dataWaitCase(),
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

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 102.4) / 10;

async function runCase(name: string, profile: boolean): Promise<CaseResult> {
  const base = {
    backend: getBackend().name,
    threads: engineSettings().threads,
    precision: resolvePrecision(),
  };
  const runSpecial = special[name];
  if (runSpecial !== undefined) {
    const figures = await runSpecial();
    return { name, ms: null, ...figures, peak_rss_mb: peakRssMb(), ...base } as CaseResult;
  }
  const c = cases[name];
  if (c === undefined)
    throw new Error(
      `unknown case '${name}'; known: ${[...Object.keys(cases), ...Object.keys(special)].join(', ')}`,
    );
  seed(0);
  const { run, parameters } = c.setup();
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
    for (const [label, t] of rows.slice(0, 30)) {
      process.stderr.write(
        `${label.padEnd(36)} ${(t.ms / c.repeats).toFixed(2).padStart(9)} ms/run ${String(t.calls / c.repeats).padStart(6)} calls/run\n`,
      );
    }
  }
  return {
    name,
    ms: Math.round(median(times) * 1000) / 1000,
    peak_rss_mb: peakRssMb(),
    parameters,
    ...base,
  };
}

const TORCH_PYTHON = '/usr/bin/python3';

function torchAvailable(): boolean {
  return spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

interface TorchResult {
  ms: number;
  peak_rss_mb: number;
  parameters: number;
}

function runTorch(name: string, bf16: boolean): TorchResult | null {
  const c = cases[name]!;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'engine_torch.py');
  const args = [script, '--case', name, '--spec', JSON.stringify(caseSpec(c.network!))];
  args.push('--warmup', String(c.warmup), '--repeats', String(c.repeats));
  if (bf16) args.push('--bf16');
  const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`bench: PyTorch case ${name} failed: ${r.stderr.trim().split('\n').pop()}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

function runChild(self: string, name: string, precision: Precision, profile: boolean): CaseResult {
  const childArgs = ['--import', 'tsx', self, '--child', '--case', name, ...(profile ? ['--profile'] : [])];
  childArgs.push(...sizeArgs);
  const child = spawnSync(process.execPath, childArgs, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MOSMOS_PRECISION: precision },
  });
  if (child.status !== 0) throw new Error(`bench case ${name} (${precision}) failed`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as CaseResult;
}

function measure(
  self: string,
  name: string,
  precision: Precision,
  rounds: number,
  withTorch: boolean,
  profile: boolean,
): CaseResult {
  const c = cases[name];
  if (c === undefined) return runChild(self, name, precision, profile);
  // The machine may be shared: run our case and PyTorch's alternately, `rounds` times, and take
  // the median ratio of neighbouring runs rather than comparing distant moments.
  const ours: CaseResult[] = [];
  const theirs: TorchResult[] = [];
  const theirsBf16: TorchResult[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(runChild(self, name, precision, profile));
    const torch = withTorch ? runTorch(name, false) : null;
    if (torch !== null) theirs.push(torch);
    if (withTorch && precision === 'bf16') {
      const t = runTorch(name, true);
      if (t !== null) theirsBf16.push(t);
    }
  }
  const result: CaseResult = { ...ours[0]!, ms: median(ours.map((r) => r.ms!)) };
  result.peak_rss_mb = Math.max(...ours.map((r) => r.peak_rss_mb));
  if (theirs.length === ours.length && theirs.length > 0) {
    const reference = precision === 'bf16' && theirsBf16.length === ours.length ? theirsBf16 : theirs;
    result.torch_ms = median(theirs.map((t) => t.ms));
    result.ratio = Math.round(median(ours.map((r, i) => r.ms! / reference[i]!.ms)) * 1000) / 1000;
    result.torch_bf16_ms = theirsBf16.length > 0 ? median(theirsBf16.map((t) => t.ms)) : null;
    result.torch_peak_rss_mb = Math.max(...theirs.map((t) => t.peak_rss_mb));
    result.torch_parameters = theirs[0]!.parameters;
    result.rounds = rounds;
    if (result.parameters !== undefined && result.parameters !== result.torch_parameters)
      process.stderr.write(
        `bench: ${name}: parameter counts differ (mosmos ${result.parameters}, PyTorch ${result.torch_parameters})\n`,
      );
  }
  return result;
}

async function main(argv: string[]): Promise<void> {
  const option = (flag: string) => argvOption(argv, flag);
  const json = argv.includes('--json');
  const profile = argv.includes('--profile');
  const only = option('--case');
  if (argv.includes('--child')) {
    console.log(JSON.stringify(await runCase(only!, profile)));
    return;
  }
  // Both sides run on libgomp: PyTorch gets the passive OpenMP wait policy the oneDNN backend's
  // addon is loaded with (see native/README.md), set here for the children only.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined)
    process.env.OMP_WAIT_POLICY = 'passive';
  const withTorch = !argv.includes('--no-torch') && torchAvailable();
  if (!withTorch && !json) console.log('(PyTorch not found at /usr/bin/python3: no comparison)');
  const names = only !== undefined ? only.split(',') : [...Object.keys(cases), ...Object.keys(special)];
  const rounds = Number(option('--rounds') ?? 3);
  const scanSlices = option('--scan-slices');
  if (scanSlices !== undefined) process.env.BENCH_SCAN_SLICES = scanSlices;
  const wanted = option('--precision') ?? 'both';
  const precisions: Precision[] = wanted === 'both' ? ['fp32', 'bf16'] : [wanted as Precision];
  const bf16 = bf16Support();
  const self = fileURLToPath(import.meta.url);
  if (!json) {
    console.log(
      `${'case'.padEnd(24)} ${'prec'.padEnd(5)} ${'ms'.padStart(9)} ${'torch ms'.padStart(9)} ${'ratio'.padStart(6)} ${'RSS MB'.padStart(7)} ${'torch RSS'.padStart(9)}`,
    );
  }
  for (const name of names) {
    for (const precision of precisions) {
      if (special[name] !== undefined && precision === 'bf16') continue;
      let result: CaseResult;
      if (precision === 'bf16' && !bf16.supported) {
        result = {
          name,
          precision,
          ms: null,
          torch_ms: undefined,
          torch_bf16_ms: null,
          peak_rss_mb: 0,
          backend: getBackend().name,
          threads: engineSettings().threads,
          skipped: bf16.reason,
        };
      } else result = measure(self, name, precision, rounds, withTorch, profile);
      if (json) console.log(JSON.stringify(result));
      else {
        const cell = (v: number | null | undefined, width: number, digits = 1) =>
          (v === undefined || v === null ? '-' : v.toFixed(digits)).padStart(width);
        const extra = result.skipped ? `  (${result.skipped})` : '';
        console.log(
          `${name.padEnd(24)} ${precision.padEnd(5)} ${cell(result.ms, 9)} ${cell(result.torch_ms, 9)} ${cell(result.ratio, 6, 2)} ${cell(result.peak_rss_mb, 7, 0)} ${cell(result.torch_peak_rss_mb as number | undefined, 9, 0)}${extra}`,
        );
      }
    }
  }
}

await main(process.argv.slice(2));

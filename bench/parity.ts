// `npm run bench:parity [-- --json] [--steps N]`: trains the product's 2D U-Net with the product's
// recipe in mosmos and in PyTorch from the same initial weights on the same batches (see
// src/train/parity.ts) and prints both loss curves and held-out Dice. Targets (issue #10 §3): loss
// within 2 % at every step of the first 100, held-out mean Dice within 0.02.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultParityOptions, runParity, torchUnavailable } from '../src/train/parity.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const steps = Number(value('--steps') ?? defaultParityOptions.steps);
const seed = Number(value('--seed') ?? defaultParityOptions.seed);
const keep = value('--dir');

const unavailable = torchUnavailable();
if (unavailable) {
  console.error(`bench:parity needs PyTorch as the reference: ${unavailable}`);
  process.exit(2);
}
const dir = keep ?? mkdtempSync(join(tmpdir(), 'mosmos-parity-'));
try {
  const r = await runParity({
    ...defaultParityOptions,
    dir,
    steps,
    seed,
    log: json ? undefined : (line) => console.error(line),
  });
  if (json) {
    console.log(
      JSON.stringify({
        max_loss_rel_diff_first100: Number(r.maxLossRelDiffFirst100.toFixed(5)),
        dice_mosmos: Number(r.diceMosmos!.toFixed(4)),
        dice_torch: Number(r.diceTorch!.toFixed(4)),
        steps: r.steps,
        seed,
        seconds_mosmos: Number(r.secondsMosmos.toFixed(1)),
        seconds_torch: Number(r.secondsTorch.toFixed(1)),
      }),
    );
  } else {
    console.log('step  loss mosmos  loss torch  rel diff');
    const every = Math.max(1, Math.floor(r.steps / 30));
    for (let i = 0; i < r.steps; i++) {
      if (i % every !== 0 && i !== r.steps - 1 && i >= 10) continue;
      const rel = Math.abs(r.lossMosmos[i]! - r.lossTorch[i]!) / Math.abs(r.lossTorch[i]!);
      console.log(
        `${String(i).padStart(4)}  ${r.lossMosmos[i]!.toFixed(5).padStart(11)}  ${r.lossTorch[i]!.toFixed(5).padStart(10)}  ${(100 * rel).toFixed(3).padStart(7)} %`,
      );
    }
    console.log(
      `max relative loss difference over the first 100 steps: ${(100 * r.maxLossRelDiffFirst100).toFixed(3)} % (target < 2 %)`,
    );
    console.log(
      `held-out mean Dice: mosmos ${r.diceMosmos!.toFixed(4)}, PyTorch ${r.diceTorch!.toFixed(4)} (target |Δ| < 0.02)`,
    );
    console.log(
      `training time: mosmos ${r.secondsMosmos.toFixed(1)} s, PyTorch ${r.secondsTorch.toFixed(1)} s`,
    );
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

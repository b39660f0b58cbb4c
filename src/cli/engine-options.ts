/**
 * The engine options every training and inference command takes: `--precision auto|bf16|fp32` and
 * `--threads N` (MOSMOS_PRECISION / MOSMOS_THREADS otherwise). Checked before any work, so an
 * explicit bf16 on a CPU without avx512_bf16 or AMX stops with the reason instead of running slowly.
 */
import { configureEngine, parsePrecision, resolvePrecision } from '../engine/index.js';
import { InputError } from '../errors.js';
import { optionString, type ParsedArgs } from './args.js';

export const engineOptionsUsage = '--precision auto|bf16|fp32 (auto: bf16 where the CPU has it)  --threads N';

/** Applies --precision and --threads; returns the precision the run will use. */
export function applyEngineOptions(args: ParsedArgs): 'fp32' | 'bf16' {
  try {
    const precision = optionString(args, 'precision');
    const threads = optionString(args, 'threads');
    if (precision !== undefined) configureEngine({ precision: parsePrecision(precision, '--precision') });
    if (threads !== undefined) {
      const n = Number(threads);
      if (!Number.isInteger(n) || n <= 0)
        throw new Error(`--threads ${threads}: expected a positive integer`);
      configureEngine({ threads: n });
    }
    return resolvePrecision();
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

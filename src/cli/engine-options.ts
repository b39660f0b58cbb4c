/**
 * The engine options every training and inference command takes: `--precision auto|bf16|fp32` and
 * `--threads N` (MOSMOS_PRECISION / MOSMOS_THREADS otherwise), declared once and spread into those
 * commands' specs. Checked before any work, so an explicit bf16 on a CPU without avx512_bf16 or AMX
 * stops with the reason instead of running slowly.
 */
import { configureEngine, parsePrecision, resolvePrecision } from '../engine/index.js';
import { InputError } from '../errors.js';
import type { CommandLine } from './options.js';

export const engineOptions = [
  {
    name: 'precision',
    type: 'string',
    choices: ['auto', 'bf16', 'fp32'],
    help: 'auto: bf16 where the CPU has avx512_bf16 or AMX, else fp32 (default: MOSMOS_PRECISION or auto)',
  },
  {
    name: 'threads',
    type: 'number',
    value: 'N',
    help: 'compute threads (default: MOSMOS_THREADS or the available CPUs)',
  },
] as const;

/** Applies --precision and --threads; returns the precision the run will use. */
export function applyEngineOptions(line: CommandLine<'precision' | 'threads'>): 'fp32' | 'bf16' {
  try {
    const precision = line.string('precision');
    const threads = line.number('threads');
    if (precision !== undefined) configureEngine({ precision: parsePrecision(precision, '--precision') });
    if (threads !== undefined) {
      if (!Number.isInteger(threads) || threads <= 0)
        throw new Error(`--threads ${threads}: expected a positive integer`);
      configureEngine({ threads });
    }
    return resolvePrecision();
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/**
 * Which precision a setting resolves to on a CPU, as pure functions of oneDNN's ISA name (no backend
 * import, so the oneDNN backend can use them while it loads). precision.ts wraps them for the active
 * backend.
 */
import type { PrecisionSetting } from './settings.js';

export type Precision = 'fp32' | 'bf16';

export interface Bf16Support {
  supported: boolean;
  /** The CPU instruction set the backend dispatches to (oneDNN's name), or the backend's name. */
  isa: string;
  /** Why bf16 is not available (empty when it is). */
  reason: string;
}

/** oneDNN ISA names with native bfloat16 dot products (avx512_bf16 or AMX). */
const BF16_ISAS = ['avx512_core_bf16', 'avx512_core_amx'];

export function bf16SupportForIsa(isa: string): Bf16Support {
  if (BF16_ISAS.some((name) => isa.startsWith(name))) return { supported: true, isa, reason: '' };
  return {
    supported: false,
    isa,
    reason: `this CPU (oneDNN ISA ${isa}) has neither avx512_bf16 nor AMX: oneDNN would emulate bfloat16 (slower than float32) or, below AVX-512, has no bfloat16 kernels at all`,
  };
}

/**
 * auto → fp32; bf16 where unsupported → an error that says why. `auto` does not pick bf16 even where the
 * CPU has it: on the first such CPU (an AVX-512-bf16 EPYC, 2026-12-07) a bf16 convolution differed from
 * fp32 by 5.9 % of its range, past bf16's 2 % (bf16.test.ts), so bf16 stays an explicit choice until it passes.
 */
export function precisionFor(setting: PrecisionSetting, support: Bf16Support): Precision {
  if (setting === 'fp32' || setting === 'auto') return 'fp32';
  if (!support.supported)
    throw new Error(`--precision bf16 is not available: ${support.reason}; use auto or fp32`);
  return 'bf16';
}

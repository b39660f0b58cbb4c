/**
 * Mixed precision (`--precision auto|bf16|fp32`, MOSMOS_PRECISION). In bf16 the oneDNN backend runs
 * convolutions, transposed convolutions and matmuls with bfloat16 operands, float32 accumulation and
 * float32 results; parameters, gradients and optimizer state stay float32 (the master weights), and
 * normalisation, softmax and losses compute in float32. Checkpoints are float32 safetensors either way.
 *
 * bf16 only pays on CPUs with native bfloat16 dot products: `avx512_bf16` (Cooper Lake, Sapphire
 * Rapids and later Xeons, Zen 4) or AMX. Elsewhere oneDNN would emulate it (or has no kernel at all)
 * and be slower than float32, so `auto` picks bf16 only there, and an explicit `bf16` on another CPU
 * is an error that says why (resolvePrecision; the CLIs call it before any work).
 */
import { getBackend } from './backend-select.js';
import { type Bf16Support, bf16SupportForIsa, type Precision, precisionFor } from './precision-support.js';
import { engineSettings, type PrecisionSetting } from './settings.js';

export type { Bf16Support, Precision } from './precision-support.js';

/** Whether the active backend can run bf16 at speed on this CPU. */
export function bf16Support(): Bf16Support {
  const backend = getBackend();
  const isa = backend.cpuIsa?.() ?? null;
  if (isa === null)
    return {
      supported: false,
      isa: backend.name,
      reason: `the ${backend.name} backend computes in float32 only`,
    };
  return bf16SupportForIsa(isa);
}

/** The precision `setting` (default: the engine's) resolves to here; throws for bf16 where unsupported. */
export function resolvePrecision(setting: PrecisionSetting = engineSettings().precision): Precision {
  return precisionFor(setting, bf16Support());
}

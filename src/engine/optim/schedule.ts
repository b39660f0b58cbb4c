/** A learning rate for each (0-based) optimizer step. */
export type LrSchedule = (step: number) => number;

/**
 * Linear warm-up from lr/warmupSteps to `lr` over `warmupSteps`, then cosine decay to `minLr` at
 * `totalSteps` (held there afterwards).
 * @example const schedule = warmupCosine({ lr: 1e-3, warmupSteps: 100, totalSteps: 5000 }); opt.lr = schedule(step);
 */
export function warmupCosine(options: {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  minLr?: number;
}): LrSchedule {
  const { lr, warmupSteps, totalSteps } = options;
  const minLr = options.minLr ?? 0;
  return (step) => {
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    const span = Math.max(1, totalSteps - warmupSteps);
    const progress = Math.min(1, (step - warmupSteps) / span);
    return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/**
 * nnU-Net's poly schedule: lr · (1 − step/totalSteps)^exponent (exponent 0.9), reaching 0 at the
 * last step. `totalSteps` is an argument, not a closure, so a run whose length is planned after it
 * starts (a time budget) keeps one schedule spanning all of its steps.
 * @example opt.lr = polyLr(3e-3, step, 2000);
 */
export function polyLr(lr: number, step: number, totalSteps: number, exponent = 0.9): number {
  const progress = Math.min(1, Math.max(0, step / Math.max(1, totalSteps)));
  return lr * (1 - progress) ** exponent;
}

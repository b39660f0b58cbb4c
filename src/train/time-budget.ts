/**
 * `--time-budget <minutes>`: time the first training steps, then plan how many steps fit in what is
 * left of the budget, so "the best you can do in 20 minutes" is one flag. The first steps are slower
 * (oneDNN primitive creation, caches warming), so they are timed but not used for the estimate.
 */

/** Steps timed before planning, and how many of the first are ignored as warm-up. */
export const BUDGET_WARMUP_STEPS = 3;
export const BUDGET_TIMED_STEPS = 10;
/** After the first plan, re-plan every this many steps from the time they took. */
export const BUDGET_REPLAN_EVERY = 20;

export interface StepTimer {
  record(ms: number): void;
  /** True once enough steps were timed to plan. */
  readonly ready: boolean;
  /** Median milliseconds per step over the timed steps (robust to a stall on a shared machine). */
  msPerStep(): number;
}

export function stepTimer(warmup = BUDGET_WARMUP_STEPS, timed = BUDGET_TIMED_STEPS): StepTimer {
  const times: number[] = [];
  let seen = 0;
  return {
    record(ms) {
      if (seen++ >= warmup) times.push(ms);
    },
    get ready() {
      return times.length >= timed;
    },
    msPerStep() {
      const sorted = [...times].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    },
  };
}

export interface BudgetPlanInput {
  budgetMs: number;
  /** Wall time since the loop started (includes the timed steps and loading). */
  elapsedMs: number;
  stepsDone: number;
  /** Measured time of one whole step, including waiting for its batch. */
  msPerStep: number;
  stepsPerEpoch: number;
  /** Validations still to run (time is reserved for each). */
  validations: number;
  /** Time reserved per remaining validation (default 5 % of the budget, at most 60 s). */
  validationMs?: number;
  /** Factor on the step time for the loop's own work (default 1.03; 1 when it was measured in). */
  margin?: number;
}

/**
 * The total number of steps (including those done) that ends training within the budget, leaving
 * time for the final validation; at least one more step than done.
 */
export function planStepsForBudget(input: BudgetPlanInput): { steps: number } {
  const reserve = input.validations * (input.validationMs ?? Math.min(60_000, 0.05 * input.budgetMs));
  // Each step also pays for the loop's own work (metrics line, occasional checkpoint): 3 % margin.
  const left = Math.max(0, input.budgetMs - input.elapsedMs - reserve);
  const more = Math.floor(left / (input.msPerStep * (input.margin ?? 1.03)));
  return { steps: input.stepsDone + Math.max(1, more) };
}

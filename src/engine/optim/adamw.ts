import { noGrad } from '../autograd.js';
import { zerosLike } from '../creation.js';
import { runKernel } from '../dispatch.js';
import type { Parameter } from '../tensor.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  epsilon?: number;
  /** Decoupled weight decay (PyTorch default 0.01). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter) with PyTorch's semantics: p ← p(1 − lr·wd), then the bias-corrected
 * Adam step lr·m̂/(√v̂ + ε). Runs as one fused 'AdamW' kernel per parameter.
 */
export class AdamW extends Optimizer {
  readonly kind = 'adamw';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;

  constructor(params: readonly Parameter[] | readonly ParamGroup[], options: AdamWOptions = {}) {
    super(params, options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
  }

  step(): void {
    noGrad(() => {
      this.forEachParam((p, lr, groupDecay) => {
        const step = (this.steps.get(p) ?? 0) + 1;
        this.steps.set(p, step);
        const m = this.slot(p, 'exp_avg') ?? zerosLike(p);
        const v = this.slot(p, 'exp_avg_sq') ?? zerosLike(p);
        const [np, nm, nv] = runKernel('AdamW', [p, p.grad!, m, v], {
          lr,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          weightDecay: groupDecay ?? this.weightDecay,
          step,
        });
        p.assign(np!);
        this.setSlot(p, 'exp_avg', nm!);
        this.setSlot(p, 'exp_avg_sq', nv!);
      });
    });
  }
}

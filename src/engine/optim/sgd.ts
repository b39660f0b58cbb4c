import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { add, mul, scaleShift, sub } from '../ops/arithmetic.js';
import { clone } from '../ops/shape.js';
import type { Parameter, Tensor } from '../tensor.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled, as PyTorch's SGD). */
  weightDecay?: number;
}

/** Stochastic gradient descent with momentum and Nesterov momentum, PyTorch semantics. */
export class SGD extends Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: readonly Parameter[] | readonly ParamGroup[], options: SGDOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('Nesterov momentum needs momentum > 0 and zero dampening');
    }
  }

  step(): void {
    noGrad(() => {
      this.forEachParam((p, lr, groupDecay) => {
        tidy(() => {
          const decay = groupDecay ?? this.weightDecay;
          let g: Tensor = decay !== 0 ? add(p.grad!, mul(p, decay)) : p.grad!;
          if (this.momentum !== 0) {
            const previous = this.slot(p, 'momentum_buffer');
            const buf = previous ? add(mul(previous, this.momentum), mul(g, 1 - this.dampening)) : clone(g);
            this.setSlot(p, 'momentum_buffer', buf);
            g = this.nesterov ? add(g, mul(buf, this.momentum)) : buf;
          }
          this.steps.set(p, (this.steps.get(p) ?? 0) + 1);
          p.assign(sub(p, scaleShift(g, lr, 0)));
        });
      });
    });
  }
}

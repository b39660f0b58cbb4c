import { noGrad } from '../autograd.js';
import { keep } from '../memory.js';
import { clone } from '../ops/shape.js';
import type { Parameter, Tensor } from '../tensor.js';

/** Parameters sharing hyper-parameter overrides (e.g. no weight decay for biases and norms). */
export interface ParamGroup {
  params: readonly Parameter[];
  weightDecay?: number;
  /** Multiplies the optimizer's learning rate for this group. */
  lrScale?: number;
}

/** What a checkpoint stores: per-parameter slots keyed `<parameter index>.<slot>`, plus counters. */
export interface OptimizerState {
  kind: string;
  lr: number;
  /** Steps taken by each parameter (index = position in `params`). */
  steps: number[];
  tensors: Record<string, Tensor>;
}

interface Group {
  params: readonly Parameter[];
  weightDecay: number | undefined;
  lrScale: number;
}

/**
 * Common optimizer machinery. Gradient accumulation: run backward() on several micro-batches
 * (scaling each loss by 1/count), then step() once, then zeroGrad().
 */
export abstract class Optimizer {
  /** Current learning rate; set it from a schedule before each step. */
  lr: number;
  protected readonly groups: Group[];
  protected readonly slots = new Map<Parameter, Map<string, Tensor>>();
  protected readonly steps = new Map<Parameter, number>();
  abstract readonly kind: string;

  constructor(params: readonly Parameter[] | readonly ParamGroup[], lr: number) {
    this.lr = lr;
    const asGroups = params.length > 0 && 'params' in params[0]! ? (params as readonly ParamGroup[]) : null;
    this.groups = asGroups
      ? asGroups.map((g) => ({ params: g.params, weightDecay: g.weightDecay, lrScale: g.lrScale ?? 1 }))
      : [{ params: params as readonly Parameter[], weightDecay: undefined, lrScale: 1 }];
  }

  /** Every parameter, in group order (the order used by stateDict keys). */
  get params(): Parameter[] {
    return this.groups.flatMap((g) => [...g.params]);
  }

  /** Frees and clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Updates every parameter that has a gradient. */
  abstract step(): void;

  protected slot(p: Parameter, name: string): Tensor | undefined {
    return this.slots.get(p)?.get(name);
  }

  protected setSlot(p: Parameter, name: string, value: Tensor): void {
    let map = this.slots.get(p);
    if (map === undefined) {
      map = new Map();
      this.slots.set(p, map);
    }
    const old = map.get(name);
    if (old !== undefined && old !== value) old.dispose();
    map.set(name, keep(value));
  }

  protected forEachParam(fn: (p: Parameter, lr: number, weightDecay: number | undefined) => void): void {
    for (const g of this.groups)
      for (const p of g.params) if (p.grad !== null) fn(p, this.lr * g.lrScale, g.weightDecay);
  }

  /** The optimizer's state for a checkpoint (tensors are the live slots: save, do not dispose). */
  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    const params = this.params;
    params.forEach((p, i) => {
      for (const [name, t] of this.slots.get(p) ?? []) tensors[`${i}.${name}`] = t;
    });
    return { kind: this.kind, lr: this.lr, steps: params.map((p) => this.steps.get(p) ?? 0), tensors };
  }

  /** Restores a state from stateDict() (the tensors are copied into new slots). */
  loadStateDict(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new Error(`optimizer state is for ${state.kind}, not ${this.kind}`);
    const params = this.params;
    if (state.steps.length !== params.length) {
      throw new Error(`optimizer state has ${state.steps.length} parameters, the model ${params.length}`);
    }
    this.lr = state.lr;
    params.forEach((p, i) => {
      this.steps.set(p, state.steps[i]!);
    });
    for (const [key, t] of Object.entries(state.tensors)) {
      const dot = key.indexOf('.');
      const p = params[Number(key.slice(0, dot))];
      if (p === undefined || t.size !== p.size)
        throw new Error(`optimizer state entry ${key} does not fit the model`);
      this.setSlot(
        p,
        key.slice(dot + 1),
        noGrad(() => clone(t)),
      );
    }
  }
}

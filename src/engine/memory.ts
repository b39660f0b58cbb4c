import type { Tensor } from './tensor.js';

// Each open tidy() scope records the tensors created while it is innermost.
const scopes: Set<Tensor>[] = [];

export function trackTensor(tensor: Tensor): void {
  scopes[scopes.length - 1]?.add(tensor);
}

export function untrackTensor(tensor: Tensor): void {
  for (const scope of scopes) scope.delete(tensor);
}

/** Exempts `tensor` from disposal by the enclosing tidy() scopes (e.g. a running statistic). */
export function keep<T extends Tensor>(tensor: T): T {
  untrackTensor(tensor);
  return tensor;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns (found in a
 * returned tensor, array or plain object) and those passed to keep(). Synchronous functions only.
 *
 * @example
 * const lossValue = tidy(() => { const loss = lossFn(model(x)); backward(loss); opt.step(); return loss.item(); });
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy() takes a synchronous function');
  } finally {
    scopes.pop();
    const returned = new Set<Tensor>();
    collectTensors(result, returned, 0);
    for (const tensor of scope) {
      if (returned.has(tensor)) trackTensor(tensor);
      else tensor.dispose();
    }
  }
  return result;
}

function collectTensors(value: unknown, into: Set<Tensor>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const item of value.values()) collectTensors(item, into, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into, depth + 1);
  }
}

function isTensor(value: object): value is Tensor {
  return 'shape' in value && 'backend' in value && 'dispose' in value && 'gradFn' in value;
}

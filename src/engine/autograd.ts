import { onesLike } from './creation.js';
import { keep } from './memory.js';
import { add } from './ops/arithmetic.js';
import type { Tensor } from './tensor.js';

let gradEnabled = true;

/** Runs `fn` without recording operations for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Whether an op on `inputs` must be recorded: grad mode is on and some input requires grad. */
export function needsGrad(...inputs: readonly (Tensor | null | undefined)[]): boolean {
  return gradEnabled && inputs.some((t) => t?.requiresGrad === true);
}

/** Makes `output` a node of the graph, with `backward` giving the gradients of `inputs`. */
export function recordGrad(
  name: string,
  output: Tensor,
  inputs: readonly Tensor[],
  backward: (dy: Tensor) => (Tensor | null)[],
): void {
  output.requiresGrad = true;
  output.gradFn = { name, inputs, backward };
}

/**
 * Reverse-mode differentiation from `loss` (a one-element tensor unless `seed` gives dL/dloss).
 * Gradients are summed into `grad` of every leaf tensor that requires grad (parameters), so calling
 * it over several micro-batches before an optimizer step accumulates gradients.
 * Intermediate gradients are freed as soon as they are consumed.
 */
export function backward(loss: Tensor, seed?: Tensor): void {
  if (!loss.requiresGrad)
    throw new Error('backward(): the loss does not depend on any tensor that requires grad');
  if (seed !== undefined && (seed.rank !== loss.rank || seed.shape.some((d, i) => d !== loss.shape[i]))) {
    throw new Error(`backward(): seed shape [${seed.shape}] differs from the loss shape [${loss.shape}]`);
  }
  const order = topologicalOrder(loss);
  const grads = new Map<Tensor, Tensor>();
  // How many holders (grads map entries, leaf.grad) refer to each gradient tensor.
  const holders = new Map<Tensor, number>();
  const hold = (g: Tensor): void => {
    holders.set(g, (holders.get(g) ?? 0) + 1);
  };
  const release = (g: Tensor): void => {
    const n = (holders.get(g) ?? 0) - 1;
    if (n <= 0) {
      holders.delete(g);
      if (g !== seed) g.dispose();
    } else holders.set(g, n);
  };
  const accumulate = (t: Tensor, g: Tensor): void => {
    const previous = grads.get(t);
    if (previous === undefined) {
      grads.set(t, g);
      hold(g);
      return;
    }
    const sum = add(previous, g);
    hold(sum);
    grads.set(t, sum);
    hold(g);
    release(g);
    release(previous);
  };
  const start = seed ?? onesLike(loss);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    accumulate(loss, start);
    for (const node of order) {
      const dy = grads.get(node);
      if (dy === undefined) continue;
      grads.delete(node);
      if (node.gradFn === null) {
        // A leaf: sum into .grad, which outlives any tidy() scope.
        if (node.grad === null) {
          node.grad = keep(dy);
          hold(dy);
        } else {
          const sum = keep(add(node.grad, dy));
          node.grad.dispose();
          node.grad = sum;
        }
        release(dy);
        continue;
      }
      const inputGrads = node.gradFn.backward(dy);
      const inputs = node.gradFn.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const g = inputGrads[i];
        const input = inputs[i]!;
        if (g === null || g === undefined || !input.requiresGrad) continue;
        if (g.shape.length !== input.shape.length || g.shape.some((d, k) => d !== input.shape[k])) {
          throw new Error(
            `${node.gradFn.name} backward gave shape [${g.shape}] for input of shape [${input.shape}]`,
          );
        }
        accumulate(input, g);
      }
      release(dy);
    }
  } finally {
    gradEnabled = previous;
  }
}

/** Nodes reachable from `root` through inputs that require grad, outputs before their inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const visited = new Set<Tensor>();
  const postOrder: Tensor[] = [];
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [tensor, next] = top;
    const inputs = tensor.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1] = next + 1;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      postOrder.push(tensor);
    }
  }
  return postOrder.reverse();
}

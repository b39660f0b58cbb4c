/**
 * The fine-tuning loss (DESIGN.md §1): soft Dice + cross-entropy over softmax class probabilities,
 * as MONAI's DiceCELoss(softmax=True, to_onehot_y=True) with nnU-Net's choices: Dice over the
 * foreground classes only (background would dominate it), computed over the whole batch ("batch
 * Dice", so a patch without an organ does not push that organ's Dice to 0), smoothing 1e-5.
 */
import {
  add,
  div,
  logSoftmax,
  mean,
  mul,
  neg,
  scaleShift,
  slice,
  softmax,
  sum,
  type Tensor,
  tensor,
} from '../engine/index.js';

/** One-hot targets [N, C, ...spatial] from class indices laid out as [N, ...spatial]. */
export function oneHot(labels: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const [n, c] = shape as [number, number];
  const spatial = shape.slice(2).reduce((a, b) => a * b, 1);
  if (labels.length !== n * spatial)
    throw new RangeError(`labels hold ${labels.length} values, logits need ${n * spatial}`);
  const out = new Float32Array(n * c * spatial);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < spatial; p++) {
      const k = labels[b * spatial + p]!;
      if (k < 0 || k >= c || !Number.isInteger(k)) throw new RangeError(`label ${k} outside 0…${c - 1}`);
      out[(b * c + k) * spatial + p] = 1;
    }
  return out;
}

export interface DiceCeFigures {
  loss: Tensor;
  dice: Tensor;
  crossEntropy: Tensor;
}

/**
 * logits [N, C, ...spatial] and integer labels [N, ...spatial] → { loss = CE + (1 − mean soft Dice),
 * dice loss, crossEntropy }. Needs C ≥ 2.
 */
export function diceCeLoss(logits: Tensor, labels: ArrayLike<number>, smooth = 1e-5): DiceCeFigures {
  const shape = logits.shape;
  const c = shape[1]!;
  if (c < 2) throw new Error('Dice + CE needs at least two classes (background and one organ)');
  const target = tensor(oneHot(labels, shape), shape);
  const voxels = shape[0]! * shape.slice(2).reduce((a, b) => a * b, 1);
  const crossEntropy = div(neg(sum(mul(target, logSoftmax(logits, 1)))), voxels);
  const probs = softmax(logits, 1);
  const axes = [0, ...shape.slice(2).map((_, i) => i + 2)];
  const intersection = sum(mul(probs, target), axes); // [C]
  const denominator = add(sum(probs, axes), sum(target, axes));
  const dicePerClass = div(add(mul(intersection, 2), smooth), add(denominator, smooth));
  const foreground = slice(dicePerClass, [1], [c - 1]);
  const dice = scaleShift(mean(foreground), -1, 1);
  return { loss: add(crossEntropy, dice), dice, crossEntropy };
}

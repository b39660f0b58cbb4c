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

/**
 * nnU-Net's deep supervision weights for `outputs` resolutions: 1, 1/2, 1/4, … normalised to sum 1.
 */
export function deepSupervisionWeights(outputs: number): number[] {
  const raw = Array.from({ length: outputs }, (_, i) => 1 / 2 ** i);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/**
 * Labels [N, ...spatial] taken down to `size` by nearest neighbour (the voxel at the stride's
 * origin, aligned with stride-2 convolutions), as nnU-Net down-samples its deep supervision targets.
 */
export function downsampleLabels(
  labels: ArrayLike<number>,
  count: number,
  from: readonly number[],
  to: readonly number[],
): Uint8Array {
  const fromSize = from.reduce((a, b) => a * b, 1);
  const toSize = to.reduce((a, b) => a * b, 1);
  const factors = from.map((f, i) => f / to[i]!);
  const out = new Uint8Array(count * toSize);
  const d = to.length;
  const index = new Array<number>(d).fill(0);
  for (let n = 0; n < count; n++) {
    index.fill(0);
    for (let o = 0; o < toSize; o++) {
      let src = 0;
      for (let a = 0; a < d; a++) src = src * from[a]! + Math.floor(index[a]! * factors[a]!);
      out[n * toSize + o] = labels[n * fromSize + src]!;
      for (let a = d - 1; a >= 0; a--) {
        if (++index[a]! < to[a]!) break;
        index[a] = 0;
      }
    }
  }
  return out;
}

/**
 * Dice + CE summed over deep supervision outputs [full, 1/2, …] with `deepSupervisionWeights`;
 * the figures reported are those of the full-resolution output.
 */
export function deepSupervisionLoss(outputs: Tensor[], labels: ArrayLike<number>): DiceCeFigures {
  const weights = deepSupervisionWeights(outputs.length);
  const full = outputs[0]!.shape;
  const count = full[0]!;
  const first = diceCeLoss(outputs[0]!, labels);
  let loss = mul(first.loss, weights[0]!);
  for (let i = 1; i < outputs.length; i++) {
    const spatial = outputs[i]!.shape.slice(2);
    const target = downsampleLabels(labels, count, full.slice(2), spatial);
    loss = add(loss, mul(diceCeLoss(outputs[i]!, target).loss, weights[i]!));
  }
  return { loss, dice: first.dice, crossEntropy: first.crossEntropy };
}

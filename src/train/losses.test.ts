import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, parameter, tensor } from '../engine/index.js';
import { LogitScale } from '../nn/logit-scale.js';
import { asymmetricLoss, maskedBce, maxOverSlices, symmetricInfoNce } from './losses.js';

// Plain-number references; float32 tensors vs float64 sums → tolerance 1e-5.
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

function referenceInfoNce(g: number[][], t: number[][], scale: number): number {
  const norm = (v: number[]) => v.map((x) => x / Math.hypot(...v));
  const gn = g.map(norm);
  const tn = t.map(norm);
  const n = g.length;
  const logits = gn.map((a) => tn.map((b) => scale * a.reduce((s, x, i) => s + x * b[i]!, 0)));
  const ce = (rows: number[][]) =>
    rows.reduce((s, row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((z, x) => z + Math.exp(x - m), 0));
      return s + lse - row[i]!;
    }, 0) / n;
  const transposed = logits.map((_, i) => logits.map((row) => row[i]!));
  return (ce(logits) + ce(transposed)) / 2;
}

test('symmetric InfoNCE matches the two-direction cross-entropy', () => {
  const g = [
    [1, 0.2, -0.3],
    [0.1, 1, 0.4],
    [-0.5, 0.3, 0.9],
  ];
  const t = [
    [0.9, 0.1, -0.2],
    [0.3, 0.8, 0.1],
    [0.2, -0.4, 0.7],
  ];
  const loss = symmetricInfoNce(tensor(g.flat(), [3, 3]), tensor(t.flat(), [3, 3]), tensor([10], [1]));
  close(loss.item(), referenceInfoNce(g, t, 10));
});

test('the learnable temperature starts at 0.07 and is clamped at scale 100', () => {
  const s = new LogitScale();
  close(s.temperature, 0.07, 1e-9);
  close(s.forward().item(), 1 / 0.07, 1e-3);
  const big = new LogitScale(0.001);
  close(big.forward().item(), 100, 1e-3);
});

test('masked BCE ignores -1 targets and matches the plain formula', () => {
  const x = [2, -1, 0.5, 3];
  const y = [1, 0, -1, 0];
  const ref = [Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-1)), 0, 3 + Math.log1p(Math.exp(-3))];
  close(maskedBce(tensor(x, [2, 2]), Float32Array.from(y)).item(), (ref[0]! + ref[1]! + ref[3]!) / 3);
});

test('asymmetric loss matches the ASL formula (γ+ 0, γ- 4, margin 0.05)', () => {
  const x = [1.5, 0.2, -2];
  const y = [1, 0, 0];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const pos = -Math.log(sig(1.5));
  const neg = (v: number) => {
    const pm = Math.max(sig(v) - 0.05, 0);
    return -(pm ** 4) * Math.log(1 - pm);
  };
  close(asymmetricLoss(tensor(x, [1, 3]), Float32Array.from(y)).item(), (pos + neg(0.2) + neg(-2)) / 3);
});

test('BCE gradient matches (σ(x) − y)/count and is zero on ignored entries', () => {
  const x = parameter([0.3, -0.7, 1.2], [1, 3]);
  backward(maskedBce(x, Float32Array.from([1, -1, 0])));
  const g = x.grad!.data();
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  close(g[0]!, (sig(0.3) - 1) / 2);
  close(g[1]!, 0);
  close(g[2]!, sig(1.2) / 2);
});

test('MIL pooling takes the maximum over each volume’s slices', () => {
  const logits = tensor([1, 5, 3, 2, 0, 9, 4, 4], [4, 2]); // 2 volumes × 2 slices × 2 tags
  assert.deepEqual(Array.from(maxOverSlices(logits, 2).data()), [3, 5, 4, 9]);
});

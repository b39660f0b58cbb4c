import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { backward } from './autograd.js';
import { ones, parameter, tensor, zeros } from './creation.js';
import { tidy } from './memory.js';
import { gelu } from './ops/activation.js';
import { conv2d } from './ops/conv.js';
import { convTranspose2d, convTranspose3d } from './ops/conv-transpose.js';
import { batchNorm, groupNorm, layerNorm } from './ops/normalization.js';
import { avgPool2d, maxPool3d } from './ops/pool.js';
import { interpolate } from './ops/resize.js';
import { logSoftmax } from './ops/softmax.js';
import { AdamW } from './optim/adamw.js';
import { SGD } from './optim/sgd.js';
import type { Parameter, Tensor } from './tensor.js';
import { assertClose, randomValues, useTestBackend } from './testing/gradient-check.js';

/**
 * Cross-check against PyTorch (Debian's python3-torch, when installed) on cases where our own
 * reading of PyTorch's conventions could be wrong: output sizes, align_corners=False coordinates,
 * count_include_pad, running statistics, optimizer details. Forward values and input gradients
 * (of Σ y ⊙ R for a fixed random R) are compared.
 */

useTestBackend();

const python = '/usr/bin/python3';
function torchSkip(): string | false {
  if (!existsSync(python)) return 'Debian python3 not installed';
  return spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
    ? false
    : 'python3-torch not installed';
}

interface Case {
  name: string;
  shapes: number[][];
  /** Python expression over x0, x1, ... (torch tensors) and F. */
  torch: string;
  ours: (...inputs: Tensor[]) => Tensor;
}

const cases: Case[] = [
  {
    name: 'conv2d',
    shapes: [
      [2, 3, 9, 8],
      [4, 3, 3, 2],
    ],
    torch: 'F.conv2d(x0, x1, stride=(2, 1), padding=(1, 1), dilation=(1, 2))',
    ours: (x, w) => conv2d(x!, w!, null, { stride: [2, 1], padding: [1, 1], dilation: [1, 2] }),
  },
  {
    name: 'convTranspose2d',
    shapes: [
      [2, 3, 4, 5],
      [3, 2, 3, 3],
    ],
    torch: 'F.conv_transpose2d(x0, x1, stride=2, padding=1, output_padding=1)',
    ours: (x, w) => convTranspose2d(x!, w!, null, { stride: 2, padding: 1, outputPadding: 1 }),
  },
  {
    name: 'convTranspose3d',
    shapes: [
      [1, 2, 3, 2, 3],
      [2, 3, 2, 2, 2],
    ],
    torch: 'F.conv_transpose3d(x0, x1, stride=2)',
    ours: (x, w) => convTranspose3d(x!, w!, null, { stride: 2 }),
  },
  {
    name: 'bilinear up 5x4->7x9',
    shapes: [[2, 2, 5, 4]],
    torch: "F.interpolate(x0, size=(7, 9), mode='bilinear', align_corners=False)",
    ours: (x) => interpolate(x!, [7, 9], 'linear'),
  },
  {
    name: 'bilinear down 9x7->4x3',
    shapes: [[1, 2, 9, 7]],
    torch: "F.interpolate(x0, size=(4, 3), mode='bilinear', align_corners=False)",
    ours: (x) => interpolate(x!, [4, 3], 'linear'),
  },
  {
    name: 'trilinear 3x4x2->6x5x4',
    shapes: [[1, 2, 3, 4, 2]],
    torch: "F.interpolate(x0, size=(6, 5, 4), mode='trilinear', align_corners=False)",
    ours: (x) => interpolate(x!, [6, 5, 4], 'linear'),
  },
  {
    name: 'nearest 5x4->7x9',
    shapes: [[1, 2, 5, 4]],
    torch: "F.interpolate(x0, size=(7, 9), mode='nearest')",
    ours: (x) => interpolate(x!, [7, 9], 'nearest'),
  },
  {
    name: 'avgPool2d pad',
    shapes: [[2, 2, 7, 6]],
    torch: 'F.avg_pool2d(x0, 3, stride=2, padding=1)',
    ours: (x) => avgPool2d(x!, 3, { stride: 2, padding: 1 }),
  },
  {
    name: 'maxPool3d',
    shapes: [[1, 2, 5, 4, 6]],
    torch: 'F.max_pool3d(x0, 2)',
    ours: (x) => maxPool3d(x!, 2),
  },
  {
    name: 'batchNorm train',
    shapes: [[3, 4, 5, 2], [4], [4]],
    torch: 'F.batch_norm(x0, None, None, x1, x2, training=True)',
    ours: (x, w, b) => batchNorm(x!, { weight: w!, bias: b! }),
  },
  {
    name: 'groupNorm',
    shapes: [[2, 6, 3, 3], [6], [6]],
    torch: 'F.group_norm(x0, 3, x1, x2)',
    ours: (x, w, b) => groupNorm(x!, 3, w!, b!),
  },
  {
    name: 'layerNorm',
    shapes: [[2, 3, 8], [8], [8]],
    torch: 'F.layer_norm(x0, (8,), x1, x2)',
    ours: (x, w, b) => layerNorm(x!, w!, b!),
  },
  { name: 'gelu', shapes: [[4, 9]], torch: 'F.gelu(x0)', ours: (x) => gelu(x!) },
  {
    name: 'logSoftmax',
    shapes: [[3, 5, 2]],
    torch: 'F.log_softmax(x0, dim=1)',
    ours: (x) => logSoftmax(x!, 1),
  },
];

const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

const script = `
import json, sys, torch
import torch.nn.functional as F
torch.set_num_threads(1)
spec = json.load(sys.stdin)
out = {}
for case in spec['cases']:
    xs = [torch.tensor(v, dtype=torch.float64).reshape(s).requires_grad_(True) for v, s in zip(case['values'], case['shapes'])]
    env = {'F': F, **{f'x{i}': x for i, x in enumerate(xs)}}
    y = eval(case['torch'], env)
    r = torch.tensor(case['projection'], dtype=torch.float64).reshape(y.shape)
    (y * r).sum().backward()
    out[case['name']] = {'shape': list(y.shape), 'y': y.detach().flatten().tolist(), 'grads': [x.grad.flatten().tolist() for x in xs]}
opt = spec['optim']
for kind in ['adamw', 'sgd']:
    p = torch.tensor(opt['init'], dtype=torch.float64, requires_grad=True)
    o = torch.optim.AdamW([p], lr=0.01, weight_decay=0.1) if kind == 'adamw' else torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    for g in opt['grads']:
        p.grad = torch.tensor(g, dtype=torch.float64)
        o.step()
    out[kind] = p.detach().tolist()
rm, rv = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
x = torch.tensor(spec['bn'], dtype=torch.float64).reshape(3, 4, 5, 2)
F.batch_norm(x, rm, rv, training=True, momentum=0.1)
out['running'] = [rm.tolist(), rv.tolist()]
print(json.dumps(out))
`;

test('ops, gradients and optimizers agree with PyTorch', { skip: torchSkip() }, () => {
  const specCases = cases.map((c, k) => {
    const values = c.shapes.map((s, i) => [...randomValues(size(s), 100 * k + i)]);
    return { ...c, values, projection: [] as number[] };
  });
  // Our outputs first, to know each output's size for the projection R.
  const ours = specCases.map((c, k) =>
    tidy(() => {
      const params: Parameter[] = c.values.map((v, i) => parameter(v, c.shapes[i]));
      const y = c.ours(...params);
      c.projection = [...randomValues(y.size, 999 + k)];
      backward(y, tensor(c.projection, y.shape));
      return { shape: [...y.shape], y: [...y.data()], grads: params.map((p) => [...p.grad!.data()]) };
    }),
  );
  const grads = [
    [0.1, -0.2, 0.3],
    [0.5, 0.1, -0.4],
    [-0.3, 0.2, 0.05],
  ];
  const init = [0.5, -1.5, 2];
  const bn = [...randomValues(120, 77)];
  const input = JSON.stringify({
    cases: specCases.map(({ name, shapes, torch, values, projection }) => ({
      name,
      shapes,
      torch,
      values,
      projection,
    })),
    optim: { init, grads },
    bn,
  });
  const run = spawnSync(python, ['-c', script], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as Record<
    string,
    { shape: number[]; y: number[]; grads: number[][] } | number[] | number[][]
  >;
  // float32 engine vs float64 PyTorch on N(0,1) inputs: 2e-4 absolute + 1e-4 relative covers float32
  // rounding in sums of up to ~100 terms.
  const tol = { abs: 2e-4, rel: 1e-4 };
  specCases.forEach((c, k) => {
    const theirs = reference[c.name] as { shape: number[]; y: number[]; grads: number[][] };
    const mine = ours[k]!;
    assert.deepEqual(mine.shape, theirs.shape, `${c.name}: shape`);
    assertClose(mine.y, theirs.y, tol, `${c.name}: output`);
    mine.grads.forEach((g, j) => {
      assertClose(g, theirs.grads[j]!, tol, `${c.name}: gradient of input ${j}`);
    });
  });
  const stepped = (make: (p: Parameter) => AdamW | SGD): number[] => {
    const p = parameter(init, [3]);
    const opt = make(p);
    for (const g of grads) {
      p.grad?.dispose();
      p.grad = tensor(g, [3]);
      opt.step();
    }
    return [...p.data()];
  };
  const adamw = stepped((p) => new AdamW([p], { lr: 0.01, weightDecay: 0.1 }));
  const sgd = stepped((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }));
  assertClose(adamw, reference.adamw as number[], tol, 'AdamW after 3 steps');
  assertClose(sgd, reference.sgd as number[], tol, 'SGD (Nesterov) after 3 steps');
  const runningMean = zeros([4]);
  const runningVar = ones([4]);
  batchNorm(tensor(bn, [3, 4, 5, 2]), { runningMean, runningVar });
  const [rm, rv] = reference.running as number[][];
  assertClose(runningMean.data(), rm!, tol, 'running mean');
  assertClose(runningVar.data(), rv!, tol, 'running var');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noGrad, Rng, randn, seed } from '../engine/index.js';
import { MosmosModel } from '../nn/mosmos-model.js';
import { trainWordPiece, WordPieceTokenizer } from '../report/wordpiece.js';
import { pretrainLosses, selectBagInstances } from './pretrain-step.js';
import { reportTokens } from './report-tokens.js';

test('training on the argmax instances gives the whole-bag contrastive and recognition losses', () => {
  seed(3);
  const model = new MosmosModel({
    arch: 'unet2d',
    inChannels: 1,
    widths: [4, 8],
    text: { vocabSize: 200, maxLength: 64, hidden: 8, depth: 1, heads: 2 },
    embedDim: 8,
    tags: ['liver', 'spleen', 'kidney'],
  });
  const reports = ['The liver is normal. The spleen is absent.', 'Normal liver, spleen and kidney.'];
  const tokenizer = new WordPieceTokenizer(
    trainWordPiece([...reports, 'the liver the spleen the kidney'], { vocabSize: 200 }),
  );
  const prompts = reportTokens(tokenizer, ['the liver', 'the spleen', 'the kidney'], 16).batch;
  // Two bags of 5 and 3 instances of 8×8.
  const images = {
    data: randn([8, 1, 8, 8]).toFloat32Array(),
    shape: [8, 1, 8, 8],
    owner: [0, 0, 0, 0, 0, 1, 1, 1],
    sizes: [5, 3],
  };
  const batch = {
    images,
    reports: reportTokens(tokenizer, reports, 64),
    targets: Float32Array.from([1, 0, 1, 1, 1, 1]),
  };
  const weights = { lambda: 1, mapLambda: 1, mlrLoss: 'bce' as const };
  const figures = (l: ReturnType<typeof pretrainLosses>) => [
    l.contrastive.item(),
    l.mlr!.item(),
    l.maps!.item(),
  ];
  const whole = noGrad(() => figures(pretrainLosses(model, batch, prompts, weights, false)));
  const selected = selectBagInstances(model, images, prompts, weights, new Rng(1), 3);
  assert.ok(selected.images.owner.length <= 8);
  assert.deepEqual(
    selected.images.sizes.map((s) => s > 0),
    [true, true],
  );
  const part = noGrad(() =>
    figures(
      pretrainLosses(
        model,
        { ...batch, images: selected.images, rest: selected.rest },
        prompts,
        weights,
        false,
      ),
    ),
  );
  // Contrastive and recognition terms are exact; the maps' term is exact only where every stage
  // peaks on the same instance (the selection uses their mean), so it is only close.
  for (const i of [0, 1])
    assert.ok(
      Math.abs(whole[i]! - part[i]!) < 1e-4,
      `term ${i}: whole bag ${whole[i]}, argmax instances ${part[i]}`,
    );
  assert.ok(
    Math.abs(whole[2]! - part[2]!) < 0.05,
    `maps: whole bag ${whole[2]}, argmax instances ${part[2]}`,
  );
});

import { loadPrepared } from '../data/preprocess.js';
import { noGrad, tensor } from '../engine/index.js';
import { l2Normalize } from '../nn/pixel-tag-attention.js';
import { getVocabulary } from '../report/vocabularies.js';
import { loadWeights } from './checkpoint.js';
import { buildPretrainModel } from './pretrain.js';
import type { PretrainConfig } from './pretrain-config.js';
import { loadTrainingPairs, sliceBatch, tokenBatch } from './pretrain-data.js';
import { readRunInfo } from './run-record.js';

const dir = '/tmp/nnwork/syn/run';
const config = readRunInfo(dir).config as unknown as PretrainConfig;
const vocab = getVocabulary(config.tags);
const { model, tokenizer } = await buildPretrainModel(
  config,
  dir,
  null,
  vocab.tags.map((t) => t.name),
);
await loadWeights(dir, model);
const { pairs } = loadTrainingPairs(config.pairs, vocab, { skipBad: false, alwaysImaged: [] });
const some = pairs.slice(0, 6);
const vols = await Promise.all(some.map((p) => loadPrepared(p.image, config.preprocess)));
noGrad(() => {
  const b = sliceBatch(vols, 4, 32);
  const e = model.encodeImage(tensor(b.data, b.shape));
  const g = l2Normalize(e.global).data();
  const t = l2Normalize(
    model.encodeText(
      tokenBatch(
        tokenizer,
        some.map((p) => p.report),
        64,
      ),
    ),
  ).data();
  const d = 32;
  const row = (a: Float32Array, r: number) =>
    Array.from(a.slice(r * d, r * d + 5))
      .map((v) => v.toFixed(3))
      .join(' ');
  for (let r = 0; r < 8; r += 4) console.log('g', row(g, r));
  for (let r = 0; r < 3; r++) console.log('t', row(t, r));
  const rawT = model.textEncoder
    .forward(
      tokenBatch(
        tokenizer,
        some.map((p) => p.report),
        64,
      ),
    )
    .pooled.data();
  console.log('raw t0', Array.from(rawT.slice(0, 5)), 'raw t1', Array.from(rawT.slice(64, 69)));
  console.log('enc', tokenizer.encode(some[0]!.report, 64).ids.slice(0, 20));
  console.log(model.logitScale.temperature);
});

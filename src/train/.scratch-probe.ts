import { AdamW, backward, seed, tensor, tidy, add } from '../engine/index.js';
import { loadPrepared } from '../data/preprocess.js';
import { UNet2dEncoder } from '../nn/unet2d-encoder.js';
import { Linear } from '../nn/layers/linear.js';
import { MlrDecoder } from '../nn/mlr-decoder.js';
import { Conv } from '../nn/layers/conv.js';
import { parametersOf } from '../nn/module.js';
import { getVocabulary } from '../report/vocabularies.js';
import { loadTrainingPairs, sliceBatch, stepRng } from './pretrain-data.js';
import { maskedBce, maxOverSlices } from './losses.js';
import { normalParameter } from '../nn/init.js';
seed(0);
const mode = process.env.MODE ?? 'probe';
const vocab = getVocabulary('btcv');
const { pairs } = loadTrainingPairs('/tmp/nnwork/syn2/pairs.jsonl', vocab, { skipBad: false, alwaysImaged: [] });
const settings = { spacing: [3, 3, 3] as [number, number, number], intensity: { kind: 'ct' as const, min: -175, max: 250 } };
const vols = await Promise.all(pairs.map((p) => loadPrepared(p.image, settings)));
const enc = new UNet2dEncoder({ inChannels: 1, widths: [8, 16] });
const head = new Linear(32, 13);
const proj = new Conv(2, 16, 32, 1, { padding: 0 });
const dec = new MlrDecoder({ dim: 32, tags: 13 });
const queries = normalParameter([13, 32], 1);
const opt = new AdamW(parametersOf(enc, head, proj, dec, { queries }), { lr: 5e-3 });
for (let step = 0; step < 80; step++) {
  const idx = Array.from({ length: 8 }, (_, i) => (step * 8 + i) % 60);
  const b = sliceBatch(idx.map((i) => vols[i]!), 2, 16, stepRng(0, step));
  const targets = new Float32Array(8 * 13);
  idx.forEach((j, r) => targets.set(pairs[j]!.targets, r * 13));
  const l = tidy(() => {
    const out = enc.forward(tensor(b.data, b.shape));
    const logits = mode === 'probe' ? head.forward(out.pooled) : dec.forward(proj.forward(out.deepest), queries).logits;
    const loss = maskedBce(maxOverSlices(logits, 8), targets);
    backward(loss);
    opt.step();
    opt.zeroGrad();
    return loss.item();
  });
  if (step % 10 === 0) console.log(mode, step, l.toFixed(4));
}

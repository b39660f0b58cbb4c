/**
 * Validation of pre-training on held-out pairs: image→report and report→image retrieval R@1/5/10
 * from the global embeddings, and tag mAP and per-tag AUROC from the recognition logits.
 */
import { matmul, noGrad, tensor, tidy } from '../engine/index.js';
import { type TagRankingMetrics, tagRankingMetrics } from '../metrics/ranking.js';
import { type RetrievalMetrics, retrievalRecall } from '../metrics/retrieval.js';
import type { MosmosModel } from '../nn/mosmos-model.js';
import { l2Normalize } from '../nn/pixel-tag-attention.js';
import type { TokenBatch } from '../nn/text-encoder.js';
import { maxOverBags } from './losses.js';
import type { BagBatch } from './pretrain-bag.js';
import { chunkPoolingWeights, type ReportTokens } from './report-tokens.js';

export interface ValidationMetrics {
  pairs: number;
  retrieval: RetrievalMetrics | null;
  tags: TagRankingMetrics;
}

export interface ValidationInputs {
  /** One batch of whole-volume bags per chunk of volumes. */
  images: BagBatch[];
  /** Report tokens per chunk, aligned with `images`. */
  reports: ReportTokens[];
  /** Tag targets of all validation pairs, row-major [pairs, K]. */
  targets: Float32Array;
  prompts: TokenBatch;
  tagNames: string[];
}

/** Embeddings, logits and metrics for the validation pairs (no gradients, chunk by chunk). */
export function validate(model: MosmosModel, inputs: ValidationInputs): ValidationMetrics {
  const k = inputs.tagNames.length;
  const g: Float32Array[] = [];
  const t: Float32Array[] = [];
  const logits: Float32Array[] = [];
  noGrad(() => {
    const queries = model.tagQueries(inputs.prompts);
    inputs.images.forEach((batch, c) => {
      tidy(() => {
        const enc = model.encodeImage(tensor(batch.data, batch.shape));
        const global = model.bagEmbedding(enc.pooled, batch.owner, batch.sizes.length);
        const volumeLogits = maxOverBags(model.recognise(enc.features, queries).logits, batch.sizes);
        const r = inputs.reports[c]!;
        g.push(l2Normalize(global).toFloat32Array());
        t.push(l2Normalize(model.encodeReports(r.batch, chunkPoolingWeights(r), r.reports)).toFloat32Array());
        logits.push(volumeLogits.toFloat32Array());
      });
    });
    queries.dispose();
  });
  const n = inputs.targets.length / k;
  const scores = concatArrays(logits);
  const tags = tagRankingMetrics(scores, inputs.targets, n, inputs.tagNames);
  if (n < 2) return { pairs: n, retrieval: null, tags };
  const sim = noGrad(() =>
    tidy(() => {
      const dim = concatArrays(g).length / n;
      return matmul(tensor(concatArrays(g), [n, dim]), tensor(concatArrays(t), [n, dim]), {
        transposeB: true,
      }).toFloat32Array();
    }),
  );
  return { pairs: n, retrieval: retrievalRecall(sim, n), tags };
}

function concatArrays(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** One line summarising validation, e.g. for the console. */
export function formatValidation(m: ValidationMetrics): string {
  const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(1) : 'n/a');
  const r = m.retrieval;
  const retrieval = r
    ? `i→r R@1/5/10 ${pct(r.imageToReport.r1)}/${pct(r.imageToReport.r5)}/${pct(r.imageToReport.r10)} ` +
      `r→i ${pct(r.reportToImage.r1)}/${pct(r.reportToImage.r5)}/${pct(r.reportToImage.r10)} ` +
      `(chance ${pct(r.chance.r1)}/${pct(r.chance.r5)}/${pct(r.chance.r10)})`
    : 'retrieval n/a (fewer than 2 pairs)';
  return `validation (${m.pairs} pairs): ${retrieval}; tag mAP ${pct(m.tags.mAP)} AUROC ${pct(m.tags.meanAuroc)}`;
}

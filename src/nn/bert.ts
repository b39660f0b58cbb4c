/**
 * A user's own BERT-family encoder (e.g. a clinical BERT converted to safetensors) loaded from a local
 * folder — `config.json`, `vocab.txt`, `model.safetensors` with HuggingFace's key names — as the text
 * encoder T. Nothing is fetched from the network. Post-LN layers with GELU, as BERT; the report
 * embedding is the [CLS] token's final state.
 */
import { add, gelu, reshape, slice, type Tensor, tensor } from '../engine/index.js';
import { multiHeadAttention, paddingMaskValues } from './layers/attention.js';
import { Embedding } from './layers/embedding.js';
import { Linear } from './layers/linear.js';
import { LayerNorm } from './layers/norm.js';
import type { TokenBatch } from './text-encoder.js';

/** The fields of HuggingFace's BertConfig that the forward pass uses. */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
}

class BertSelfAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;

  constructor(hidden: number) {
    this.query = new Linear(hidden, hidden);
    this.key = new Linear(hidden, hidden);
    this.value = new Linear(hidden, hidden);
  }
}

class BertDenseNorm {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;

  constructor(inFeatures: number, hidden: number, epsilon: number) {
    this.dense = new Linear(inFeatures, hidden);
    this.LayerNorm = new LayerNorm(hidden, epsilon);
  }

  /** LayerNorm(dense(x) + residual): BERT's post-LN sub-layer output. */
  forward(x: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(add(this.dense.forward(x), residual));
  }
}

class BertLayer {
  readonly attention: { self: BertSelfAttention; output: BertDenseNorm };
  readonly intermediate: { dense: Linear };
  readonly output: BertDenseNorm;

  constructor(
    c: BertConfig,
    private readonly heads = c.num_attention_heads,
  ) {
    this.attention = {
      self: new BertSelfAttention(c.hidden_size),
      output: new BertDenseNorm(c.hidden_size, c.hidden_size, c.layer_norm_eps),
    };
    this.intermediate = { dense: new Linear(c.hidden_size, c.intermediate_size) };
    this.output = new BertDenseNorm(c.intermediate_size, c.hidden_size, c.layer_norm_eps);
  }

  forward(x: Tensor, mask: Tensor): Tensor {
    const s = this.attention.self;
    const context = multiHeadAttention(
      s.query.forward(x),
      s.key.forward(x),
      s.value.forward(x),
      this.heads,
      mask,
    );
    const attended = this.attention.output.forward(context, x);
    return this.output.forward(gelu(this.intermediate.dense.forward(attended)), attended);
  }
}

/** BertModel without the pooler: embeddings, then post-LN transformer layers. */
export class BertEncoder {
  readonly embeddings: {
    word_embeddings: Embedding;
    position_embeddings: Embedding;
    token_type_embeddings: Embedding;
    LayerNorm: LayerNorm;
  };
  readonly encoder: { layer: BertLayer[] };

  constructor(readonly config: BertConfig) {
    this.embeddings = {
      word_embeddings: new Embedding(config.vocab_size, config.hidden_size, 0.02),
      position_embeddings: new Embedding(config.max_position_embeddings, config.hidden_size, 0.02),
      token_type_embeddings: new Embedding(config.type_vocab_size, config.hidden_size, 0.02),
      LayerNorm: new LayerNorm(config.hidden_size, config.layer_norm_eps),
    };
    this.encoder = { layer: Array.from({ length: config.num_hidden_layers }, () => new BertLayer(config)) };
  }

  get outChannels(): number {
    return this.config.hidden_size;
  }

  /** Token states [N, L, hidden] and the [CLS] state [N, hidden]. Token types are all 0 (one segment). */
  forward(batch: TokenBatch): { tokens: Tensor; pooled: Tensor } {
    const { batch: n, length } = batch;
    if (length > this.config.max_position_embeddings)
      throw new Error(`text longer than BERT's ${this.config.max_position_embeddings} positions`);
    const positions = new Int32Array(n * length);
    for (let i = 0; i < positions.length; i++) positions[i] = i % length;
    const e = this.embeddings;
    let x = add(
      add(
        e.word_embeddings.forward(batch.ids, [n, length]),
        e.position_embeddings.forward(positions, [n, length]),
      ),
      e.token_type_embeddings.forward(new Int32Array(n * length), [n, length]),
    );
    x = e.LayerNorm.forward(x);
    const mask = tensor(paddingMaskValues(batch.mask, n, length), [n, 1, 1, length]);
    for (const layer of this.encoder.layer) x = layer.forward(x, mask);
    return { tokens: x, pooled: reshape(slice(x, [0, 0, 0], [-1, 1, -1]), [n, this.config.hidden_size]) };
  }
}

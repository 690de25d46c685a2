/**
 * The frozen encoder's weights as tf.Tensors, one typed record per layer, created once from a Checkpoint and
 * disposed explicitly. Linear weights are stored transposed, [in, out], so `x @ w` needs no transpose per call.
 *
 * Int8 checkpoints are dequantised to f32 here for now; a later WGSL int8 matmul will keep `q`/`scale` on
 * the GPU instead, which is why every linear layer is a `LinearWeights` value behind one `linear()` function.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '../errors';
import type { BertConfig, Checkpoint } from '../types';
import { readWeightWithShape } from '../weights/int8';
import type { SafetensorsFile } from '../weights/safetensors';

/** One dense layer, y = x @ w + b. */
export interface LinearWeights {
  w: tf.Tensor2D; // [in, out]
  b: tf.Tensor1D; // [out]
}

export interface LayerNormWeights {
  gamma: tf.Tensor1D; // [hidden]
  beta: tf.Tensor1D; // [hidden]
}

/** The linear layers of one BERT layer, named as PEFT targets them (query, key, value, dense...). */
export const LINEAR_NAMES = ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

export interface BertLayerWeights {
  query: LinearWeights; // [hidden, hidden]
  key: LinearWeights; // [hidden, hidden]
  value: LinearWeights; // [hidden, hidden]
  attentionOutput: LinearWeights; // [hidden, hidden]
  attentionNorm: LayerNormWeights;
  intermediate: LinearWeights; // [hidden, intermediate]
  output: LinearWeights; // [intermediate, hidden]
  outputNorm: LayerNormWeights;
}

export interface BertEmbeddingWeights {
  word: tf.Tensor2D; // [vocab, hidden]
  position: tf.Tensor2D; // [maxPositions, hidden]
  tokenType: tf.Tensor2D; // [typeVocab, hidden]
  norm: LayerNormWeights;
}

/** Where each linear layer lives inside a Hugging Face BertLayer (state-dict and module path). */
export const HF_LINEAR_PATHS: Record<LinearName, string> = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  attentionOutput: 'attention.output.dense',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
};

export class BertWeights {
  private disposed = false;

  private constructor(
    readonly config: BertConfig,
    readonly embeddings: BertEmbeddingWeights,
    readonly layers: readonly BertLayerWeights[],
  ) {}

  /** Places every weight on the current tf backend (int8 dequantised to f32). Call dispose() when done. */
  static fromCheckpoint(ckpt: Pick<Checkpoint, 'config' | 'weights'>): BertWeights {
    const reader = new WeightReader(ckpt.weights);
    const c = ckpt.config;
    const { hiddenSize: h, intermediateSize: inter } = c;
    if (h % c.numAttentionHeads !== 0) {
      throw new ModelLoadError('config-mismatch', `hidden_size ${h} is not a multiple of num_attention_heads ${c.numAttentionHeads}; config.json is inconsistent.`);
    }
    try {
      const embeddings: BertEmbeddingWeights = {
        word: reader.matrix('embeddings.word_embeddings.weight', [c.vocabSize, h]),
        position: reader.matrix('embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, h]),
        tokenType: reader.matrix('embeddings.token_type_embeddings.weight', [c.typeVocabSize, h]),
        norm: reader.layerNorm('embeddings.LayerNorm', h),
      };
      const layers: BertLayerWeights[] = [];
      for (let i = 0; i < c.numHiddenLayers; i++) {
        const p = `encoder.layer.${i}.`;
        const lin = (name: LinearName, inDim: number, outDim: number) => reader.linear(p + HF_LINEAR_PATHS[name], inDim, outDim);
        layers.push({
          query: lin('query', h, h),
          key: lin('key', h, h),
          value: lin('value', h, h),
          attentionOutput: lin('attentionOutput', h, h),
          attentionNorm: reader.layerNorm(p + 'attention.output.LayerNorm', h),
          intermediate: lin('intermediate', h, inter),
          output: lin('output', inter, h),
          outputNorm: reader.layerNorm(p + 'output.LayerNorm', h),
        });
      }
      return new BertWeights(c, embeddings, layers);
    } catch (e) {
      reader.disposeAll(); // nothing half-built stays on the backend
      throw e;
    }
  }

  /** Every tensor, once (for disposal, byte counts, or checking that training leaves them untouched). */
  tensors(): tf.Tensor[] {
    const e = this.embeddings;
    const out: tf.Tensor[] = [e.word, e.position, e.tokenType, e.norm.gamma, e.norm.beta];
    for (const l of this.layers) {
      for (const name of LINEAR_NAMES) out.push(l[name].w, l[name].b);
      out.push(l.attentionNorm.gamma, l.attentionNorm.beta, l.outputNorm.gamma, l.outputNorm.beta);
    }
    return out;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.tensors());
  }
}

/** Reads named tensors from the file as f32, checks shapes, and remembers what it created. */
class WeightReader {
  private readonly created: tf.Tensor[] = [];

  constructor(private readonly file: SafetensorsFile) {}

  matrix(name: string, shape: [number, number]): tf.Tensor2D {
    const { data } = this.read(name, shape);
    return this.keep(tf.tensor2d(data, shape));
  }

  vector(name: string, size: number): tf.Tensor1D {
    return this.keep(tf.tensor1d(this.read(name, [size]).data));
  }

  /** PyTorch keeps Linear weights as [out, in]; we store [in, out]. */
  linear(prefix: string, inDim: number, outDim: number): LinearWeights {
    const { data } = this.read(prefix + '.weight', [outDim, inDim]);
    return {
      w: this.keep(tf.tensor2d(transpose(data, outDim, inDim), [inDim, outDim])),
      b: this.vector(prefix + '.bias', outDim),
    };
  }

  layerNorm(prefix: string, size: number): LayerNormWeights {
    return { gamma: this.vector(prefix + '.weight', size), beta: this.vector(prefix + '.bias', size) };
  }

  disposeAll(): void {
    tf.dispose(this.created);
  }

  private read(name: string, expected: number[]) {
    const w = readWeightWithShape(this.file, name);
    if (w.shape.length !== expected.length || w.shape.some((d, i) => d !== expected[i])) {
      throw new ModelLoadError(
        'config-mismatch',
        `Tensor "${name}" has shape ${JSON.stringify(w.shape)}, but config.json implies ${JSON.stringify(expected)}. The config and weights belong to different models.`,
      );
    }
    return w;
  }

  private keep<T extends tf.Tensor>(t: T): T {
    this.created.push(t);
    return t;
  }
}

/** [rows, cols] -> [cols, rows], row-major. */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  }
  return out;
}

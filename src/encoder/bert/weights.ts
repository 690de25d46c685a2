/**
 * The frozen encoder's weights as tf.Tensors, one typed record per layer, created once from a Checkpoint and
 * disposed explicitly. Linear weights are stored transposed, [in, out], so `x @ w` needs no transpose per call.
 *
 * Int8 checkpoints are dequantised to f32, except on webgpu with our kernels on (src/kernels): there the linear
 * layers and the word embeddings stay int8 on the GPU (`int8` / `wordInt8`, packed four to a word with one
 * scale per output channel), and every use goes through `linear()` and `embedWords()`.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from '../errors';
import type { BertConfig, Checkpoint } from '../types';
import { int8Gather, int8Weight, kernelsActive, type Int8Weight } from '../../kernels';
import { readInt8Rows, readWeightWithShape } from '../weights/int8';
import type { SafetensorsFile } from '../weights/safetensors';

/** One dense layer, y = x @ w + b: exactly one of `w` (f32) and `int8` (webgpu kernels) is set. */
export interface LinearWeights {
  w?: tf.Tensor2D; // [in, out]
  /**
   * w transposed, [out, in] (PyTorch's own layout), for the input gradient dy @ w^T; kept beside `w` on the wasm
   * backend only (see BertWeights.fromCheckpoint), absent elsewhere and whenever `w` is replaced (a merged LoRA).
   */
  wT?: tf.Tensor2D;
  /** The same weight kept int8 on the GPU ([out, in] packed, per-output scales); see src/kernels. */
  int8?: Int8Weight;
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
  /** [vocab, hidden] f32, or undefined when the table is kept int8 (`wordInt8`); read rows with embedWords(). */
  word?: tf.Tensor2D;
  wordInt8?: Int8Weight; // [vocab, hidden] int8 + [vocab] scales
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

/** The most f32 bytes of linear weights whose transposes BertWeights keeps by default (MiniLM-L12: 85 MB; BERT-base: 340 MB). */
export const TRANSPOSED_BUDGET_BYTES = 128 * 2 ** 20;

/** The f32 bytes of an encoder's linear weights: per layer, four [hidden, hidden] and two [hidden, intermediate]. */
export function linearWeightBytes(c: Pick<BertConfig, 'numHiddenLayers' | 'hiddenSize' | 'intermediateSize'>): number {
  return 4 * c.numHiddenLayers * (4 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * c.intermediateSize);
}

/**
 * Whether fromCheckpoint keeps the linear weights' transposes unless told: on the wasm backend, for encoders whose
 * linear weights fit TRANSPOSED_BUDGET_BYTES. A BERT-base would double 340 MB of a WASM heap that cannot grow past
 * 4 GB; there each backward pass transposes as before, slower but within memory.
 */
export function keepsTransposedByDefault(c: Pick<BertConfig, 'numHiddenLayers' | 'hiddenSize' | 'intermediateSize'>, backend: string): boolean {
  return backend === 'wasm' && linearWeightBytes(c) <= TRANSPOSED_BUDGET_BYTES;
}

export class BertWeights {
  private disposed = false;

  private constructor(
    readonly config: BertConfig,
    readonly embeddings: BertEmbeddingWeights,
    readonly layers: readonly BertLayerWeights[],
  ) {}

  /**
   * Places every weight on the current tf backend. Int8 tensors are dequantised to f32 unless `keepInt8`
   * (default: kernelsActive(), i.e. webgpu with our kernels on). Call dispose() when done.
   *
   * `keepTransposed` (default: keepsTransposedByDefault) keeps each f32 linear weight twice, [in, out] for the
   * forward pass and [out, in] for the input gradient. tfjs-backend-wasm multiplies fast only without transposes
   * (see matmul.ts) and packs a weight for XNNPACK once per tensor, so transposing w in every backward pass cost a
   * transpose and a repack per layer and step (BENCHMARKS.md, train). The price is the linear weights' f32 size
   * again, and XNNPACK's packed copy of it.
   */
  static fromCheckpoint(
    ckpt: Pick<Checkpoint, 'config' | 'weights'>,
    { keepInt8 = kernelsActive(), keepTransposed = keepsTransposedByDefault(ckpt.config, tf.getBackend()) }: { keepInt8?: boolean; keepTransposed?: boolean } = {},
  ): BertWeights {
    const reader = new WeightReader(ckpt.weights, keepInt8, keepTransposed);
    const c = ckpt.config;
    const { hiddenSize: h, intermediateSize: inter } = c;
    if (h % c.numAttentionHeads !== 0) {
      throw new ModelLoadError('config-mismatch', `hidden_size ${h} is not a multiple of num_attention_heads ${c.numAttentionHeads}; config.json is inconsistent.`);
    }
    try {
      const embeddings: BertEmbeddingWeights = {
        ...reader.table('embeddings.word_embeddings.weight', [c.vocabSize, h]),
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
    const out: tf.Tensor[] = [...matrixTensors(e.word, e.wordInt8), e.position, e.tokenType, e.norm.gamma, e.norm.beta];
    for (const l of this.layers) {
      for (const name of LINEAR_NAMES) out.push(...matrixTensors(l[name].w, l[name].int8), ...(l[name].wT ? [l[name].wT!] : []), l[name].b);
      out.push(l.attentionNorm.gamma, l.attentionNorm.beta, l.outputNorm.gamma, l.outputNorm.beta);
    }
    return out;
  }

  /** Rows `ids` [n] (int32) of the word-embedding table: [n, hidden] f32, whichever way the table is held. */
  embedWords(ids: tf.Tensor1D): tf.Tensor2D {
    const e = this.embeddings;
    return e.word ? tf.gather(e.word, ids) : int8Gather(e.wordInt8!, ids);
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

  constructor(
    private readonly file: SafetensorsFile,
    private readonly keepInt8: boolean,
    private readonly keepTransposed: boolean,
  ) {}

  /** An embedding table: int8 rows when kept int8 and stored so, else f32. */
  table(name: string, shape: [number, number]): { word?: tf.Tensor2D; wordInt8?: Int8Weight } {
    const rows = this.keepInt8 ? this.int8(name, shape[0], shape[1]) : undefined;
    return rows ? { wordInt8: rows } : { word: this.matrix(name, shape) };
  }

  matrix(name: string, shape: [number, number]): tf.Tensor2D {
    const { data } = this.read(name, shape);
    return this.keep(tf.tensor2d(data, shape));
  }

  vector(name: string, size: number): tf.Tensor1D {
    return this.keep(tf.tensor1d(this.read(name, [size]).data));
  }

  /** PyTorch keeps Linear weights as [out, in]; we store [in, out] (and, when keepTransposed, [out, in] too). */
  linear(prefix: string, inDim: number, outDim: number): LinearWeights {
    const kept = this.keepInt8 ? this.int8(prefix + '.weight', outDim, inDim) : undefined;
    if (kept) return { int8: kept, b: this.vector(prefix + '.bias', outDim) };
    const { data } = this.read(prefix + '.weight', [outDim, inDim]);
    return {
      w: this.keep(tf.tensor2d(transpose(data, outDim, inDim), [inDim, outDim])),
      ...(this.keepTransposed ? { wT: this.keep(tf.tensor2d(data, [outDim, inDim])) } : {}),
      b: this.vector(prefix + '.bias', outDim),
    };
  }

  layerNorm(prefix: string, size: number): LayerNormWeights {
    return { gamma: this.vector(prefix + '.weight', size), beta: this.vector(prefix + '.bias', size) };
  }

  disposeAll(): void {
    tf.dispose(this.created);
  }

  /** [rows, cols] int8 with its scales on the backend, when the file stores `name` as I8; else undefined. */
  private int8(name: string, rows: number, cols: number): Int8Weight | undefined {
    const raw = readInt8Rows(this.file, name);
    if (!raw) return undefined;
    this.read(name, [rows, cols]); // checks the shape (and reports a mismatch) the same way as for f32
    const w = int8Weight(raw.q, raw.scale, rows, cols);
    this.keep(w.q);
    this.keep(w.scale);
    return w;
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

/** The tensors holding one frozen matrix, either way it is kept. */
function matrixTensors(f32: tf.Tensor2D | undefined, int8: Int8Weight | undefined): tf.Tensor[] {
  return f32 ? [f32] : [int8!.q, int8!.scale];
}

/** [rows, cols] -> [cols, rows], row-major. */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  }
  return out;
}

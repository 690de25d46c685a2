/**
 * Bottleneck adapters' config, as AdapterHub's BnConfig (adapters configuration/adapter_config.py) for the fields
 * Tabtune supports, plus `bias`, which AdapterHub cannot turn off (LiST's linear adapter needs it off).
 *
 * One adapter at a site is   out = scaling * (act(x @ Wd^T + bd) @ Wu^T + bu) + residual,
 * Wd [m, d], Wu [d, m] (torch's layouts), m = floor(d / reductionFactor) and at least 1.
 */
import type { BertConfig } from '../../encoder/types';
import type { ConfigFields } from '../method';

/** Activations by the names AdapterHub passes to transformers' get_activation ('linear' is the identity). */
export const NON_LINEARITIES = ['relu', 'gelu', 'swish', 'silu', 'tanh', 'linear'] as const;
export type NonLinearity = (typeof NON_LINEARITIES)[number];

/**
 * AdapterHub's init_weights: 'mam_adapter' = kaiming-uniform down, zero up (a fresh adapter is the identity);
 * 'bert' = N(0, 0.02) for both; 'houlsby' = normal(0, 0.01) truncated at +-0.02 for both. Biases start at zero.
 */
export const INIT_WEIGHTS = ['mam_adapter', 'bert', 'houlsby'] as const;
export type InitWeights = (typeof INIT_WEIGHTS)[number];

/**
 * Which tensor the adapter's own skip connection adds back (AdapterHub's residual_before_ln):
 * 'sublayer' = the dense output before the original add & norm (true), 'adapterInput' = whatever the adapter
 * reads (false), 'postAdd' = dense + sublayer input before the original LayerNorm ("post_add"; needs originalLnBefore).
 */
export const RESIDUALS = ['sublayer', 'adapterInput', 'postAdd'] as const;
export type Residual = (typeof RESIDUALS)[number];

export interface BottleneckConfig {
  method: 'bottleneck';
  /** An adapter after the attention-output dense of every layer (AdapterHub's mh_adapter). */
  mhAdapter: boolean;
  /** An adapter after the FFN-output dense of every layer (AdapterHub's output_adapter). */
  outputAdapter: boolean;
  /** Bottleneck size m = floor(hidden / reductionFactor), at least 1 (AdapterHub's reduction_factor). */
  reductionFactor: number;
  /** Activation between down- and up-projection (AdapterHub's non_linearity). */
  nonLinearity: NonLinearity;
  /** Biases on both projections. AdapterHub always has them; off = LiST's linear adapter (no AdapterHub format). */
  bias: boolean;
  /** Initialisation of a fresh adapter (AdapterHub's init_weights); only 'mam_adapter' starts as the identity. */
  initWeights: InitWeights;
  /** Apply the encoder's residual + LayerNorm before the adapter (AdapterHub's original_ln_before). */
  originalLnBefore: boolean;
  /** Apply the encoder's residual + LayerNorm after the adapter (AdapterHub's original_ln_after). */
  originalLnAfter: boolean;
  /** The adapter's skip connection (AdapterHub's residual_before_ln, see RESIDUALS). */
  residual: Residual;
  /** Constant factor on the adapter's output (AdapterHub's scaling, a float). */
  scaling: number;
  /** Dropout on the adapter's output, in training only (AdapterHub's dropout). */
  dropout: number;
}

/** AdapterHub's DoubleSeqBnConfig ("houlsby", Houlsby et al. 2019), with an identity init. */
export const HOULSBY: BottleneckConfig = {
  method: 'bottleneck',
  mhAdapter: true,
  outputAdapter: true,
  reductionFactor: 16,
  nonLinearity: 'swish',
  bias: true,
  initWeights: 'mam_adapter',
  originalLnBefore: false,
  originalLnAfter: true,
  residual: 'sublayer',
  scaling: 1,
  dropout: 0,
};

/** AdapterHub's SeqBnConfig ("pfeiffer", Pfeiffer et al. 2020): FFN only, after the original add & norm. */
export const PFEIFFER: BottleneckConfig = {
  ...HOULSBY,
  mhAdapter: false,
  outputAdapter: true,
  nonLinearity: 'relu',
  originalLnBefore: true,
};

/**
 * LiST's linear adapter (Wang et al. 2021; microsoft/LiST adapter_choice "linear_after"): after both dense outputs
 * (Houlsby's placement), no activation and no biases, so each adapter is the low-rank map h + h Wd^T Wu^T before the
 * original add & norm. LiST inits both projections N(0, 0.02); here the up-projection starts at zero (identity).
 * Tabtune's own variant: AdapterHub cannot drop the biases, so it has no AdapterHub format.
 */
export const LIST_LINEAR: BottleneckConfig = { ...HOULSBY, nonLinearity: 'linear', bias: false };

export const BOTTLENECK_PRESETS = { houlsby: HOULSBY, pfeiffer: PFEIFFER, listLinear: LIST_LINEAR } as const;

export const BOTTLENECK_DEFAULTS: BottleneckConfig = PFEIFFER;

export const BOTTLENECK_FIELDS: ConfigFields<BottleneckConfig> = {
  mhAdapter: { label: 'Adapter after attention', kind: 'boolean', doc: 'Adapter after the attention output of every layer (Houlsby places one here).' },
  outputAdapter: { label: 'Adapter after feed-forward', kind: 'boolean', doc: 'Adapter after the feed-forward output of every layer (Houlsby and Pfeiffer).' },
  reductionFactor: { kind: 'number', doc: 'Hidden size / bottleneck size; smaller is more capacity and more parameters.', min: 1, max: 256, step: 1 },
  nonLinearity: { label: 'Non-linearity', kind: 'select', doc: 'Activation inside the bottleneck ("linear": none, as LiST).', options: NON_LINEARITIES },
  bias: { label: 'Biases', kind: 'boolean', doc: 'Biases on the projections; off for LiST\'s linear adapter (not loadable by AdapterHub).', advanced: true },
  initWeights: { label: 'Initialisation', kind: 'select', doc: 'Initialisation; only mam_adapter (zero up-projection) starts as the unchanged encoder.', options: INIT_WEIGHTS, advanced: true },
  originalLnBefore: { label: 'Encoder LayerNorm before', kind: 'boolean', doc: 'Run the encoder\'s add & LayerNorm before the adapter (Pfeiffer).', advanced: true },
  originalLnAfter: { label: 'Encoder LayerNorm after', kind: 'boolean', doc: 'Run the encoder\'s add & LayerNorm after the adapter (both presets).', advanced: true },
  residual: { label: 'Skip connection', kind: 'select', doc: 'What the adapter\'s skip connection adds back (AdapterHub residual_before_ln).', options: RESIDUALS, advanced: true },
  scaling: { kind: 'number', doc: 'Factor on the adapter\'s output.', min: 0, max: 16, step: 0.1, advanced: true },
  dropout: { kind: 'number', doc: 'Dropout on the adapter\'s output while training.', min: 0, max: 0.5, step: 0.05, advanced: true },
};

/** Where an adapter sits in a BERT layer: after attention.output.dense or after output.dense. */
export type AdapterSite = 'attention' | 'ffn';

/** The sites a config puts an adapter at, in AdapterHub's order (mh_adapter, output_adapter). */
export function adapterSites(c: Pick<BottleneckConfig, 'mhAdapter' | 'outputAdapter'>): AdapterSite[] {
  return [...(c.mhAdapter ? (['attention'] as const) : []), ...(c.outputAdapter ? (['ffn'] as const) : [])];
}

/** m = int(hidden // reductionFactor), at least 1, as AdapterHub's BottleneckLayer.add_adapter and Adapter. */
export function bottleneckSize(hiddenSize: number, reductionFactor: number): number {
  if (!(reductionFactor > 0)) throw new Error(`reductionFactor must be > 0, got ${reductionFactor}.`);
  return Math.max(1, Math.floor(hiddenSize / reductionFactor));
}

/** Parameters of one adapter: 2md + d + m with biases, 2md without. */
export function adapterParameterCount(hiddenSize: number, m: number, bias: boolean): number {
  return 2 * m * hiddenSize + (bias ? hiddenSize + m : 0);
}

/** What a config costs on an encoder, for the config form: m, per adapter, adapters, total. */
export function bottleneckParameterCount(encoder: Pick<BertConfig, 'hiddenSize' | 'numHiddenLayers'>, c: BottleneckConfig) {
  const m = bottleneckSize(encoder.hiddenSize, c.reductionFactor);
  const perAdapter = adapterParameterCount(encoder.hiddenSize, m, c.bias);
  const adapters = encoder.numHiddenLayers * adapterSites(c).length;
  return { bottleneck: m, perAdapter, adapters, total: perAdapter * adapters };
}

/**
 * Whether a fresh delta of this config leaves the encoder unchanged. The adapter then adds zero, so the layer is
 * unchanged only if its skip connection adds back the dense output itself and the original add & norm follows:
 * 'postAdd' adds the sublayer input twice, 'adapterInput' after originalLnBefore adds LN(h + r) instead of h.
 */
export function startsAsIdentity(c: BottleneckConfig): boolean {
  const addsBackDense = c.residual === 'sublayer' || (c.residual === 'adapterInput' && !c.originalLnBefore);
  return c.initWeights === 'mam_adapter' && addsBackDense && c.originalLnAfter;
}

/** Refuses a config AdapterHub would refuse or that places no adapter. */
export function validateBottleneckConfig(c: BottleneckConfig): void {
  if (!c.mhAdapter && !c.outputAdapter) throw new Error('A bottleneck config needs mhAdapter or outputAdapter (or both).');
  if (c.residual === 'postAdd' && !c.originalLnBefore) throw new Error('residual "postAdd" needs originalLnBefore (there is no add before the adapter otherwise).');
  if (!NON_LINEARITIES.includes(c.nonLinearity)) throw new Error(`Unknown nonLinearity "${c.nonLinearity}": use one of ${NON_LINEARITIES.join(', ')}.`);
  if (!INIT_WEIGHTS.includes(c.initWeights)) throw new Error(`Unknown initWeights "${c.initWeights}": use one of ${INIT_WEIGHTS.join(', ')}.`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${c.dropout}.`);
  bottleneckSize(1, c.reductionFactor);
}

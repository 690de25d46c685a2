/**
 * BottleneckConfig <-> AdapterHub's adapter_config.json (the file save_adapter writes beside the weights), so a
 * delta saved here loads with `adapters`' load_adapter and an AdapterHub bottleneck adapter for BERT loads here.
 * The file is {"config": {...BnConfig fields...}, "name", "model_type", "model_name", "version", ...}; the
 * writer fills only "config" and the identification fields it is given, the reader accepts the file or the
 * bare "config" object.
 */
import {
  INIT_WEIGHTS,
  NON_LINEARITIES,
  validateBottleneckConfig,
  type BottleneckConfig,
  type InitWeights,
  type NonLinearity,
  type Residual,
} from './config';
import { ADAPTER_NAME } from './names';

/** The BnConfig fields AdapterHub writes for a sequential bottleneck adapter (configuration/adapter_config.py). */
export interface AdapterHubBnConfig {
  mh_adapter: boolean;
  output_adapter: boolean;
  reduction_factor: number;
  non_linearity: string;
  original_ln_before: boolean;
  original_ln_after: boolean;
  ln_before: boolean;
  ln_after: boolean;
  init_weights: InitWeights;
  init_weights_seed: null;
  is_parallel: boolean;
  /** Absent when 1 (AdapterHub's default), see toAdapterHubConfig. */
  scaling?: number;
  use_gating: boolean;
  residual_before_ln: boolean | 'post_add';
  adapter_residual_before_ln: boolean;
  inv_adapter: null;
  inv_adapter_reduction_factor: null;
  cross_adapter: boolean;
  leave_out: number[];
  dropout: number;
  phm_layer: boolean;
  stochastic_depth: number;
  [key: string]: unknown;
}

export interface AdapterHubAdapterConfigFile {
  config: AdapterHubBnConfig;
  name: string;
  model_type: 'bert';
  model_class: string;
  model_name?: string;
  hidden_size?: number;
  version: string;
}

/** The `adapters` release whose file format (names, config keys) this module writes and is tested against. */
export const ADAPTERHUB_FORMAT_VERSION = 'adapters.1.2.0';

export class UnsupportedAdapterConfigError extends Error {
  override name = 'UnsupportedAdapterConfigError';
}

const RESIDUAL_TO_HUB: Record<Residual, boolean | 'post_add'> = { sublayer: true, adapterInput: false, postAdd: 'post_add' };

/** AdapterHub's BnConfig for a Tabtune config. Throws for LiST's bias-free adapter, which AdapterHub cannot hold. */
export function toAdapterHubConfig(c: BottleneckConfig): AdapterHubBnConfig {
  validateBottleneckConfig(c);
  if (!c.bias) {
    throw new UnsupportedAdapterConfigError('AdapterHub adapters always have biases; a bias-free (LiST linear) adapter has no AdapterHub format. Save it in Tabtune\'s own format.');
  }
  return {
    mh_adapter: c.mhAdapter,
    output_adapter: c.outputAdapter,
    reduction_factor: c.reductionFactor,
    non_linearity: c.nonLinearity,
    original_ln_before: c.originalLnBefore,
    original_ln_after: c.originalLnAfter,
    ln_before: false,
    ln_after: false,
    init_weights: c.initWeights,
    init_weights_seed: null,
    is_parallel: false,
    // AdapterHub accepts only a Python float here (isinstance(scaling, float)), and JSON.stringify writes 1.0 as
    // the int 1: the default is left out (AdapterHub fills in 1.0); other whole numbers need stringifyAdapterHubConfig.
    ...(c.scaling === 1 ? {} : { scaling: c.scaling }),
    use_gating: false,
    residual_before_ln: RESIDUAL_TO_HUB[c.residual],
    adapter_residual_before_ln: false,
    inv_adapter: null,
    inv_adapter_reduction_factor: null,
    cross_adapter: false,
    leave_out: [],
    dropout: c.dropout,
    phm_layer: false,
    ...PHM_DEFAULTS,
    stochastic_depth: 0,
  };
}

/** BnConfig's PHM (Compacter) options at their defaults: unused with phm_layer false, but AdapterHub writes them. */
const PHM_DEFAULTS = {
  phm_dim: 4,
  factorized_phm_W: true,
  shared_W_phm: false,
  shared_phm_rule: true,
  factorized_phm_rule: false,
  phm_c_init: 'normal',
  phm_init_range: 0.0001,
  learn_phm: true,
  hypercomplex_nonlinearity: 'glorot-uniform',
  phm_rank: 1,
  phm_bias: true,
} as const;

/** The whole adapter_config.json save_adapter writes, for a BERT encoder of `hiddenSize`. */
export function toAdapterHubConfigFile(c: BottleneckConfig, opts: { name?: string; modelName?: string; hiddenSize?: number } = {}): AdapterHubAdapterConfigFile {
  return {
    config: toAdapterHubConfig(c),
    name: opts.name ?? ADAPTER_NAME,
    model_type: 'bert',
    model_class: 'BertAdapterModel', // Tabtune's tensor names carry the "bert." prefix (names.ts)
    version: ADAPTERHUB_FORMAT_VERSION,
    ...(opts.modelName !== undefined ? { model_name: opts.modelName } : {}),
    ...(opts.hiddenSize !== undefined ? { hidden_size: opts.hiddenSize } : {}),
  };
}

/**
 * adapter_config.json's text. Unlike plain JSON.stringify it writes a whole-number `scaling` as a float ("2.0"),
 * which AdapterHub needs (an int there is refused with "Unknown scaling type").
 */
export function stringifyAdapterHubConfig(file: AdapterHubAdapterConfigFile | AdapterHubBnConfig, indent = 2): string {
  return JSON.stringify(file, null, indent).replace(/("scaling": ?)(-?\d+)(?=\s*[,}\n])/g, '$1$2.0') + '\n';
}

/**
 * AdapterHub's "bottleneck" presets by the names its config strings use (ADAPTER_CONFIG_MAP), for a config given
 * as a bare string. Their init_weights is AdapterHub's "bert" default.
 */
const HUB_PRESETS: Record<string, Partial<AdapterHubBnConfig>> = {
  seq_bn: { mh_adapter: false, output_adapter: true, original_ln_before: true, non_linearity: 'relu', reduction_factor: 16 },
  pfeiffer: { mh_adapter: false, output_adapter: true, original_ln_before: true, non_linearity: 'relu', reduction_factor: 16 },
  double_seq_bn: { mh_adapter: true, output_adapter: true, original_ln_before: false, non_linearity: 'swish', reduction_factor: 16 },
  houlsby: { mh_adapter: true, output_adapter: true, original_ln_before: false, non_linearity: 'swish', reduction_factor: 16 },
};

/** Options AdapterHub has and Tabtune does not implement: the value each must have (or be absent). */
const UNSUPPORTED: [key: string, allowed: (v: unknown) => boolean][] = [
  ['ln_before', (v) => !v],
  ['ln_after', (v) => !v],
  ['is_parallel', (v) => !v],
  ['use_gating', (v) => !v],
  ['phm_layer', (v) => !v],
  ['inv_adapter', (v) => v == null],
  ['cross_adapter', (v) => !v],
  ['stochastic_depth', (v) => !v],
  ['leave_out', (v) => v == null || (Array.isArray(v) && v.length === 0)],
  ['scaling', (v) => v === undefined || typeof v === 'number'],
  ['reduction_factor', (v) => v === undefined || typeof v === 'number'],
];

/** Reads AdapterHub's adapter_config.json (whole file or its "config"); refuses what Tabtune does not implement. */
export function fromAdapterHubConfig(json: Record<string, unknown> | string): BottleneckConfig {
  const file = typeof json === 'string' ? { config: json } : json;
  let raw = (file.config ?? file) as Record<string, unknown> | string;
  if (typeof raw === 'string') {
    const preset = HUB_PRESETS[raw];
    if (!preset) throw new UnsupportedAdapterConfigError(`AdapterHub config "${raw}" is not a sequential bottleneck adapter Tabtune implements (use seq_bn or double_seq_bn).`);
    raw = { ...preset, architecture: 'bottleneck' };
  }
  const c = raw;
  if (c.architecture !== undefined && c.architecture !== 'bottleneck') {
    throw new UnsupportedAdapterConfigError(`Not a bottleneck adapter (architecture "${String(c.architecture)}").`);
  }
  for (const [key, allowed] of UNSUPPORTED) {
    if (!allowed(c[key])) throw new UnsupportedAdapterConfigError(`This adapter uses AdapterHub's "${key}" = ${JSON.stringify(c[key])}, which Tabtune does not support.`);
  }
  if (c.adapter_residual_before_ln && c.ln_after) {
    throw new UnsupportedAdapterConfigError('adapter_residual_before_ln with ln_after is not supported.');
  }
  const nonLinearity = String(c.non_linearity ?? 'relu').toLowerCase();
  if (!NON_LINEARITIES.includes(nonLinearity as NonLinearity)) {
    throw new UnsupportedAdapterConfigError(`non_linearity "${nonLinearity}" is not one Tabtune implements (${NON_LINEARITIES.join(', ')}).`);
  }
  const init = String(c.init_weights ?? 'bert');
  if (!INIT_WEIGHTS.includes(init as InitWeights)) throw new UnsupportedAdapterConfigError(`init_weights "${init}" is not one AdapterHub defines.`);
  const rbl = c.residual_before_ln ?? true;
  const residual: Residual = rbl === 'post_add' ? 'postAdd' : rbl ? 'sublayer' : 'adapterInput';
  const config: BottleneckConfig = {
    method: 'bottleneck',
    mhAdapter: Boolean(c.mh_adapter),
    outputAdapter: Boolean(c.output_adapter),
    reductionFactor: Number(c.reduction_factor ?? 16),
    nonLinearity: nonLinearity as NonLinearity,
    bias: true,
    initWeights: init as InitWeights,
    originalLnBefore: Boolean(c.original_ln_before ?? false),
    originalLnAfter: Boolean(c.original_ln_after ?? true),
    residual,
    scaling: Number(c.scaling ?? 1),
    dropout: Number(c.dropout ?? 0),
  };
  validateBottleneckConfig(config);
  return config;
}

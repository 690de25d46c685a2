/** Bottleneck adapters (Houlsby 2019, Pfeiffer 2020, LiST's linear adapter) as AdapterHub implements them for BERT. */
import type { PeftMethod } from '../method';
import { fromAdapterHubConfig, toAdapterHubConfigFile } from './adapterConfig';
import { BottleneckDelta } from './bottleneckDelta';
import { BOTTLENECK_DEFAULTS, BOTTLENECK_FIELDS, type BottleneckConfig } from './config';

export {
  adapterParameterCount,
  adapterSites,
  BOTTLENECK_DEFAULTS,
  BOTTLENECK_FIELDS,
  BOTTLENECK_PRESETS,
  bottleneckParameterCount,
  bottleneckSize,
  HOULSBY,
  INIT_WEIGHTS,
  LIST_LINEAR,
  NON_LINEARITIES,
  PFEIFFER,
  RESIDUALS,
  startsAsIdentity,
  validateBottleneckConfig,
  type AdapterSite,
  type BottleneckConfig,
  type InitWeights,
  type NonLinearity,
  type Residual,
} from './config';
export { BottleneckDelta, BottleneckTensorError } from './bottleneckDelta';
export {
  ADAPTERHUB_FORMAT_VERSION,
  fromAdapterHubConfig,
  stringifyAdapterHubConfig,
  toAdapterHubConfig,
  toAdapterHubConfigFile,
  UnsupportedAdapterConfigError,
  type AdapterHubAdapterConfigFile,
  type AdapterHubBnConfig,
} from './adapterConfig';
export { ADAPTER_NAME, ADAPTERHUB_PREFIX, adapterTensorNames, fromAdapterHubTensors, SITE_MODULES, type AdapterTensorNames } from './names';

export const bottleneckMethod: PeftMethod<BottleneckConfig> = {
  name: 'bottleneck',
  label: 'Bottleneck adapters',
  about: 'Small down/up projections after attention and feed-forward (Houlsby, Pfeiffer, LiST).',
  defaults: BOTTLENECK_DEFAULTS,
  fields: BOTTLENECK_FIELDS,
  create: (encoder, config, seed) => BottleneckDelta.create(encoder, config, seed),
  load: (encoder, config, saved) => BottleneckDelta.load(encoder, config, saved),
  format: {
    library: 'adapters',
    baseModel: 'BertModel', // load_adapter on a BertModel; the head ships beside it (AdapterHub has no mean-pooled head)
    // Throws UnsupportedAdapterConfigError for LiST's bias-free adapter, which AdapterHub cannot hold.
    toConfigJson: (config, encoder) => ({ ...toAdapterHubConfigFile(config, { hiddenSize: encoder.hiddenSize }) }),
    fromConfigJson: (json) => fromAdapterHubConfig(json),
  },
};

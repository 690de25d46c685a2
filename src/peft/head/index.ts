/**
 * Head-only: the encoder stays frozen and only the classification head trains (the baseline every PEFT method
 * should beat). Its delta has no parameters and no hooks.
 */
import type { Delta, PeftMethod } from '../method';

export { HEAD_TENSOR_NAMES, LinearHead, type LinearHeadInit } from './linearHead';
export { labelTextHead, PROMPT_HEAD_SCALE, promptInitHead } from './promptInit';

export interface HeadOnlyConfig {
  method: 'head';
}

/** The empty delta. */
function headOnlyDelta(): Delta {
  return { method: 'head', variables: [], frozenEncoder: true, hooks: () => ({}), tensors: () => ({}), dispose: () => {} };
}

export const headMethod: PeftMethod<HeadOnlyConfig> = {
  name: 'head',
  title: 'Head only: train a linear classifier on frozen sentence embeddings.',
  defaults: { method: 'head' },
  fields: {},
  create: () => headOnlyDelta(),
  load: () => headOnlyDelta(),
  format: {
    library: 'none', // no adapter: the export is the classifier alone, for torch.nn.Linear
    baseModel: 'BertModel',
    toConfigJson: () => ({}),
    fromConfigJson: () => ({ method: 'head' }),
  },
};

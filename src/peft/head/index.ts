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
  label: 'Head only',
  about: 'Train a linear classifier on frozen sentence embeddings.',
  defaults: { method: 'head' },
  // A lone head barely leaves its label-name start at the training default (1e-3) in the studio's 10 epochs. On the
  // few-shot dev split (head alone, the studio's training, 5 seeds, mean of four datasets) 0.1 was best of 1e-3 to
  // 0.3: 65.7 % against 59.3 at K=16, 62.5 against 58.9 at K=8, though emotion, whose label names alone score best,
  // loses 4-7 points of it (BENCHMARKS.md).
  lr: 0.1,
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

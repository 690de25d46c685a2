/** LoRA's config, as peft's LoraConfig for the fields Tabtune supports (peft tuners/lora/config.py). */
import { LINEAR_NAMES, type LinearName } from '../../encoder/bert/weights';
import type { ConfigFields } from '../method';

export interface LoraConfig {
  method: 'lora';
  /** Rank of the update B @ A. */
  r: number;
  /** The update is scaled by loraAlpha / r (or loraAlpha / sqrt(r) with useRslora). */
  loraAlpha: number;
  /** Dropout on the LoRA branch's input, in training only. */
  loraDropout: number;
  /** Which linear layers of every BERT layer get an update. */
  targetModules: LinearName[];
  /** Rank-stabilised scaling alpha / sqrt(r) (Kalajdzievski 2023), as peft's use_rslora. */
  useRslora: boolean;
}

export const LORA_DEFAULTS: LoraConfig = {
  method: 'lora',
  r: 8,
  loraAlpha: 16,
  loraDropout: 0.1,
  targetModules: ['query', 'value'],
  useRslora: false,
};

export const LORA_FIELDS: ConfigFields<LoraConfig> = {
  r: { label: 'Rank (r)', kind: 'int', doc: 'Rank of the low-rank update; more is more capacity and more parameters.', min: 1, max: 64 },
  loraAlpha: { label: 'LoRA alpha', kind: 'number', doc: 'Scale of the update: it is multiplied by alpha / r.', min: 0.5, max: 128, step: 0.5 },
  loraDropout: { label: 'LoRA dropout', kind: 'number', doc: 'Dropout on the LoRA input while training.', min: 0, max: 0.5, step: 0.05, advanced: true },
  targetModules: { kind: 'multiselect', doc: 'Linear layers that get an update (peft: query, key, value, dense...).', options: LINEAR_NAMES, minItems: 1 },
  useRslora: { label: 'Rank-stabilised scaling (rsLoRA)', kind: 'boolean', doc: 'Scale by alpha / sqrt(r) instead of alpha / r (rank-stabilised LoRA).', advanced: true },
};

/** The factor on B @ A @ x. */
export function loraScaling(c: Pick<LoraConfig, 'r' | 'loraAlpha' | 'useRslora'>): number {
  return c.useRslora ? c.loraAlpha / Math.sqrt(c.r) : c.loraAlpha / c.r;
}

/**
 * Configs of the two methods that add trainable keys and values to every attention layer: prefix tuning
 * (peft PREFIX_TUNING with prefix_projection=True) and P-tuning v2 (the same with prefix_projection=False).
 */
import type { ConfigFields } from '../method';

export interface PrefixConfig {
  method: 'prefix';
  /** Prefix positions every token attends to, in every layer. */
  numVirtualTokens: number;
  /** Width of the reparameterisation MLP: embedding -> Linear(hidden, this) -> tanh -> Linear(this, layers*2*hidden). */
  encoderHiddenSize: number;
}

export const PREFIX_DEFAULTS: PrefixConfig = { method: 'prefix', numVirtualTokens: 20, encoderHiddenSize: 512 };

export const PREFIX_FIELDS: ConfigFields<PrefixConfig> = {
  numVirtualTokens: { label: 'Virtual tokens', kind: 'int', doc: 'Prefix positions every token attends to in every layer.', min: 1, max: 100 },
  encoderHiddenSize: { label: 'Prefix MLP width', kind: 'int', doc: 'Width of the MLP that makes the prefixes (used in training; saved prefixes are flat).', min: 8, max: 1024, step: 8, advanced: true },
};

export interface PtuningV2Config {
  method: 'ptuningV2';
  /** Prefix positions every token attends to, in every layer; each holds its keys and values directly. */
  numVirtualTokens: number;
}

export const PTUNING_V2_DEFAULTS: PtuningV2Config = { method: 'ptuningV2', numVirtualTokens: 20 };

export const PTUNING_V2_FIELDS: ConfigFields<PtuningV2Config> = {
  numVirtualTokens: { label: 'Virtual tokens', kind: 'int', doc: 'Trainable key/value positions in every layer (deep prompts).', min: 1, max: 100 },
};

/**
 * Configs of the two methods that put trainable virtual tokens before the input embeddings: prompt tuning
 * (peft PROMPT_TUNING, tuners/prompt_tuning/config.py) and P-tuning v1 (peft P_TUNING, tuners/p_tuning/config.py).
 */
import type { ConfigFields } from '../method';

export const PROMPT_TUNING_INITS = ['RANDOM', 'SAMPLE_VOCAB', 'TEXT'] as const;
export type PromptTuningInit = (typeof PROMPT_TUNING_INITS)[number];

/**
 * Starting texts offered for TEXT init. FieldSpec has no free-text kind yet, so the form offers these; a config
 * (or a peft adapter_config.json) may carry any text.
 */
export const PROMPT_INIT_TEXTS = [
  'Classify the text:',
  'What is the topic of this text?',
  'Is this review positive or negative?',
  'What is the intent of this message?',
] as const;

export interface PromptTuningConfig {
  method: 'prompt';
  /** Virtual tokens placed before the text. */
  numVirtualTokens: number;
  /** RANDOM: N(0, 1); SAMPLE_VOCAB: rows of random vocabulary words; TEXT: the words of promptTuningInitText. */
  promptTuningInit: PromptTuningInit;
  /** The text whose token embeddings ([CLS] ... [SEP], repeated or cut to numVirtualTokens) start the prompt. */
  promptTuningInitText: string;
}

export const PROMPT_TUNING_DEFAULTS: PromptTuningConfig = {
  method: 'prompt',
  numVirtualTokens: 20,
  promptTuningInit: 'RANDOM',
  promptTuningInitText: PROMPT_INIT_TEXTS[0],
};

export const PROMPT_TUNING_FIELDS: ConfigFields<PromptTuningConfig> = {
  numVirtualTokens: { label: 'Virtual tokens', kind: 'int', doc: 'Soft tokens before the text; more is more capacity and longer inputs.', min: 1, max: 100 },
  promptTuningInit: { label: 'Initialisation', kind: 'select', doc: 'Start from random vectors, random vocabulary words, or the words of a text.', options: PROMPT_TUNING_INITS },
  promptTuningInitText: { label: 'Initial text', kind: 'select', doc: 'With TEXT init: the text whose words start the prompt.', options: PROMPT_INIT_TEXTS, advanced: true },
};

export const PTUNING_ENCODERS = ['MLP', 'LSTM'] as const;
export type PtuningEncoder = (typeof PTUNING_ENCODERS)[number];

export interface PtuningConfig {
  method: 'ptuning';
  /** Virtual tokens placed before the text. */
  numVirtualTokens: number;
  /** The prompt encoder: a 3-layer ReLU MLP, or a 2-direction LSTM followed by a 2-layer ReLU MLP. */
  encoderReparameterizationType: PtuningEncoder;
  /** Width of the prompt encoder (peft defaults it to the encoder's hidden size when unset). */
  encoderHiddenSize: number;
  /** LSTM layers (the MLP always has 3 linear layers, as in peft). */
  encoderNumLayers: number;
  /** Dropout between LSTM layers, in training only. */
  encoderDropout: number;
}

export const PTUNING_DEFAULTS: PtuningConfig = {
  method: 'ptuning',
  numVirtualTokens: 20,
  encoderReparameterizationType: 'MLP',
  encoderHiddenSize: 128,
  encoderNumLayers: 2,
  encoderDropout: 0,
};

export const PTUNING_FIELDS: ConfigFields<PtuningConfig> = {
  numVirtualTokens: { label: 'Virtual tokens', kind: 'int', doc: 'Soft tokens before the text, produced by the prompt encoder.', min: 1, max: 100 },
  encoderReparameterizationType: { label: 'Prompt encoder', kind: 'select', doc: 'Prompt encoder: an MLP (recommended) or an LSTM followed by an MLP.', options: PTUNING_ENCODERS },
  encoderHiddenSize: { label: 'Prompt encoder width', kind: 'int', doc: 'Width of the prompt encoder.', min: 8, max: 1024, step: 8, advanced: true },
  encoderNumLayers: { label: 'Encoder layers', kind: 'int', doc: 'LSTM layers (LSTM encoder only).', min: 1, max: 4, advanced: true },
  encoderDropout: { kind: 'number', doc: 'Dropout between LSTM layers while training.', min: 0, max: 0.5, step: 0.05, advanced: true },
};

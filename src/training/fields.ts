/**
 * How a form shows each training knob (src/training/config.ts): kind, range and a one-line help, as data. The
 * studio's Train page generates its form from this table; a knob added to TrainingConfig without a row here is a
 * compile error.
 */
import type { FieldSpec } from '../peft/method';
import type { TrainingConfig } from './config';
import { HEAD_INITS, MONITORS } from './config';

export const TRAINING_FIELDS: { [K in keyof TrainingConfig]: FieldSpec } = {
  lr: { label: 'Learning rate', kind: 'number', doc: 'Peak learning rate, reached at the end of warm-up.', min: 1e-6, max: 1, step: 1e-4 },
  epochs: { kind: 'int', doc: 'Passes over the labelled texts (ignored when max steps is above 0).', min: 1, max: 1000 },
  maxSteps: { kind: 'int', doc: 'Optimizer steps in all; 0 means epochs × batches per epoch.', min: 0, max: 100000 },
  batchSize: { kind: 'int', doc: 'Texts per training step.', min: 1, max: 256 },
  schedule: { kind: 'select', doc: 'After warm-up: decay the learning rate linearly to 0, or keep it constant.', options: ['linear', 'constant'], advanced: true },
  warmupRatio: { label: 'Warm-up share', kind: 'number', doc: 'Share of the steps spent raising the learning rate from 0.', min: 0, max: 1, step: 0.05, advanced: true },
  weightDecay: { kind: 'number', doc: 'AdamW weight decay (decoupled).', min: 0, max: 1, step: 0.01, advanced: true },
  beta1: { label: 'AdamW beta 1', kind: 'number', doc: 'AdamW first-moment decay.', min: 0, max: 0.9999, step: 0.01, advanced: true },
  beta2: { label: 'AdamW beta 2', kind: 'number', doc: 'AdamW second-moment decay.', min: 0, max: 0.99999, step: 0.001, advanced: true },
  eps: { label: 'AdamW epsilon', kind: 'number', doc: 'AdamW epsilon, for numerical safety.', min: 0, max: 1e-3, step: 1e-8, advanced: true },
  maxGradNorm: { label: 'Max gradient norm', kind: 'number', doc: 'Clip gradients to this global norm; 0 turns clipping off.', min: 0, max: 100, step: 0.1, advanced: true },
  maxLength: { kind: 'int', doc: 'Tokens per text, special tokens included; longer texts are cut.', min: 8, max: 512 },
  classBalanced: { label: 'Balance classes', kind: 'boolean', doc: 'Show smaller classes as often as the largest in each epoch.', advanced: true },
  bucketBatches: { label: 'Batches per length bucket', kind: 'int', doc: 'Batches per length-sorted chunk (less padding); 1 turns it off.', min: 1, max: 64, advanced: true },
  heldOutFraction: { label: 'Held-out fraction', kind: 'number', doc: 'Share of each label kept aside to measure held-out accuracy.', min: 0, max: 0.5, step: 0.05 },
  patience: { kind: 'int', doc: 'Evaluations without improvement before stopping early; 0 never stops.', min: 0, max: 100, advanced: true },
  evalEvery: { label: 'Evaluate every', kind: 'int', doc: 'Steps between held-out evaluations; 0 evaluates once per epoch.', min: 0, max: 10000, advanced: true },
  monitor: { label: 'Best by', kind: 'select', doc: 'What "best" means for early stopping and the kept parameters.', options: MONITORS, advanced: true },
  headInit: { label: 'Head initialisation', kind: 'select', doc: 'Start the head from the label names (it guesses before any step; random where the encoder does not normalise its embeddings) or at random.', options: HEAD_INITS, advanced: true },
  seed: { kind: 'int', doc: 'One seed fixes the split, the batch order and dropout: same seed, same run.', min: 0, max: 2 ** 31 - 1, advanced: true },
};

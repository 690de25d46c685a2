/**
 * How the Train page's form shows each self-training knob (src/selftrain/config.ts keeps the doc lines and
 * defaults; this is their one-line form help and range). `fineTune` is not here: it is the training fields.
 * A knob added to SelfTrainConfig without a row here is a compile error.
 */
import type { FieldSpec } from '../peft/method';
import { STUDENT_HEADS, WEIGHTINGS, type SelfTrainConfig } from './config';

/** The self-training knobs a form shows: every one but `fineTune`. */
export type SelfTrainKnobs = Omit<SelfTrainConfig, 'fineTune'>;

export const SELF_TRAIN_FIELDS: { [K in keyof SelfTrainKnobs]: FieldSpec } = {
  rounds: { kind: 'int', doc: 'Rounds of teacher → student → next teacher.', min: 0, max: 50 },
  studentSteps: { kind: 'int', doc: 'Student steps on pseudo-labels per round.', min: 1, max: 10000 },
  warmupFraction: { label: 'Student warm-up share', kind: 'number', doc: 'Share of student steps with uniform weights before meta re-weighting.', min: 0, max: 1, step: 0.05 },
  unlabeledPerRound: { label: 'Unlabelled texts per round', kind: 'int', doc: 'Unlabelled texts the teacher labels each round; 0 takes them all.', min: 0, max: 100000 },
  confidentShare: { label: 'Most confident share', kind: 'number', doc: 'Share of each label’s pseudo-labelled texts the student learns from, most confident first; 1 keeps all (LiST).', min: 0.05, max: 1, step: 0.05, advanced: true },
  weighting: {
    kind: 'select',
    doc: 'After warm-up: meta (LiST\'s meta-learned weights), uniform (every text alike, to compare), or two variants measured in BENCHMARKS.md, neither better than uniform there: meta-by-class (meta weights that keep each label\'s share of the batch) and meta-cosine (meta weights not scaled by the size of each text\'s gradient).',
    options: WEIGHTINGS,
    advanced: true,
  },
  studentFineTuneSteps: { label: 'Student fine-tuning steps', kind: 'int', doc: 'Steps of each student’s fine-tuning on your labels; 0 uses the training steps.', min: 0, max: 10000, advanced: true },
  innerLr: { label: 'Inner learning rate', kind: 'number', doc: 'Learning rate of the virtual step that scores each example’s weight.', min: 1e-6, max: 1, step: 1e-4, advanced: true },
  softLabels: { kind: 'boolean', doc: 'Learn the teacher’s probabilities (soft) rather than its top label.', advanced: true },
  studentLr: { label: 'Student learning rate', kind: 'number', doc: 'Learning rate of the student on pseudo-labels.', min: 1e-6, max: 1, step: 1e-4, advanced: true },
  unlabeledBatchSize: { label: 'Pseudo-labelled batch size', kind: 'int', doc: 'Pseudo-labelled texts per student step.', min: 1, max: 256, advanced: true },
  labelledBatchSize: { label: 'Meta step labelled batch', kind: 'int', doc: 'Labelled texts in the meta step’s check batch.', min: 1, max: 256, advanced: true },
  labelBatchSize: { label: 'Pseudo-labelling batch size', kind: 'int', doc: 'Texts per teacher forward when pseudo-labelling.', min: 1, max: 512, advanced: true },
  studentHead: { kind: 'select', doc: 'The student’s head at the start of each round: the first teacher’s starting head (as in LiST), a copy of the teacher’s, or fresh.', options: STUDENT_HEADS, advanced: true },
  evalFraction: { label: 'Labels kept to score rounds', kind: 'number', doc: 'Share of each label kept aside to score teacher and student. With few labels this costs accuracy (about 2 points in our benchmark); 0 trains on every label and shows no scores.', min: 0, max: 0.5, step: 0.05, advanced: true },
  maxLength: { kind: 'int', doc: 'Tokens per text, special tokens included.', min: 8, max: 512, advanced: true },
  seed: { kind: 'int', doc: 'One seed fixes sampling, batch orders and dropout.', min: 0, max: 2 ** 31 - 1, advanced: true },
};

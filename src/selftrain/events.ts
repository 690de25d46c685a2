/**
 * What a self-training run reports, plain data for a UI to chart (structured-clone friendly). `round` is 1-based;
 * round 0 is the first teacher, trained on the labels alone.
 */
import type { TrainEvent } from '../training/trainLoop';

/** The teacher's label for one text of the unlabelled pool. */
export interface PseudoLabel {
  /** Index into the unlabelled pool (SelfTrainOptions.unlabelled). */
  poolIndex: number;
  label: number;
  /** The teacher's softmax probability of `label`. */
  confidence: number;
}

/** 'uniform' replaces 'meta' after warm-up when config.weighting is 'uniform' (the ablation). */
export const STUDENT_PHASES = ['warmup', 'meta', 'uniform'] as const;
export type StudentPhase = (typeof STUDENT_PHASES)[number];
/** Each phase in words, for a status line. */
export const STUDENT_PHASE_WORDS: Record<StudentPhase, string> = { warmup: 'distillation warm-up', meta: 'meta-reweighted', uniform: 'uniform weights' };

export interface RoundPhaseSeconds {
  pseudoLabel: number;
  student: number;
  fineTune: number;
  score: number;
}

export type SelfTrainEvent =
  /** A fitClassifier event: the first teacher (round 0) or a student's fine-tuning on the labels. */
  | { kind: 'fit'; round: number; event: TrainEvent }
  /**
   * The teacher has labelled this round's unlabelled sample: `items` holds each text's label (the teacher's argmax)
   * and confidence (its top softmax probability), in sample order; `classCounts[c]` counts label == c. With
   * confidentShare < 1 these are the texts kept for the student, and `dropped` counts the less confident ones left out.
   */
  | { kind: 'pseudoLabels'; round: number; count: number; dropped: number; classCounts: number[]; meanConfidence: number; items: PseudoLabel[] }
  /**
   * One student step on pseudo-labels. `weights[j]` is the weight of `poolIndices[j]` (an index into the
   * unlabelled pool) in this step's loss; they sum to 1, or are all 0 when the meta step found no helpful example
   * (the step is then skipped). `metaLoss` is the labelled cross-entropy of the meta step (null in warm-up).
   */
  | {
      kind: 'studentStep'; round: number; step: number; totalSteps: number; phase: StudentPhase;
      loss: number; metaLoss: number | null; poolIndices: number[]; weights: number[];
    }
  /**
   * Accuracy on the held-out slice of the labels (null without one). `seconds` is the round's wall time;
   * `phaseSeconds` splits it: the teacher labelling the sample, the student on pseudo-labels, its fine-tuning on
   * the labels, and scoring teacher and student.
   */
  | {
      kind: 'round'; round: number; teacherAccuracy: number | null; studentAccuracy: number | null; pseudoLabelClassCounts: number[];
      studentStepsTaken: number; seconds: number; phaseSeconds: RoundPhaseSeconds;
    }
  | { kind: 'done'; reason: 'completed' | 'cancelled'; roundsFinished: number };

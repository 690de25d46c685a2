/** LiST self-training: rounds of pseudo-labelling, meta-reweighted distillation and fine-tuning over any PEFT method. */
export { DEFAULT_SELF_TRAIN_CONFIG, resolveSelfTrainConfig, SelfTrainConfigError, STUDENT_HEADS, STUDENT_PRESETS, studentPresetOf, WEIGHTINGS, type SelfTrainConfig, type StudentHead, type StudentPreset, type Weighting } from './config';
export { STUDENT_PHASES, type RoundPhaseSeconds, type SelfTrainEvent, type StudentPhase } from './events';
export { batchRow, klPerExample, metaGradient, metaWeights, pseudoLabels, weightedKl, type MetaGradient } from './metaWeights';
export { accuracy, selfTrain, type SelfTrainOptions, type SelfTrainResult } from './selfTrain';
export { checkState, classifierArrays, classifierFromArrays, SelfTrainStateError, type NamedArray, type SelfTrainState } from './state';
export { SELF_TRAIN_STREAM, trainStudent, type StudentRound } from './student';

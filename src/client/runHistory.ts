/**
 * A run's charted history cut back to its checkpoint, so that what a resumed run records again is not recorded
 * twice: a plain run's points after its checkpoint's step, a self-training run's points of rounds after its last
 * finished one (the interrupted round's pseudo-labels, student steps and fit start over when it resumes).
 */
import type { RunRecord } from '../storage/db';

type History = RunRecord['history'];

function keepRows(history: History, keep: (row: History[string][number]) => boolean): History {
  return Object.fromEntries(Object.entries(history).map(([name, rows]) => [name, rows.filter(keep)]));
}

/** The history a plain run had at its checkpoint's step. */
export function historyUpToStep(history: History, step: number): History {
  return keepRows(history, (r) => (r.step ?? 0) <= step);
}

/** The history a self-training run had when round `roundsFinished` ended (the first teacher's fit is round 0). */
export function historyUpToRound(history: History, roundsFinished: number): History {
  return keepRows(history, (r) => (r.round ?? 0) <= roundsFinished);
}

import { describe, expect, it } from 'vitest';
import { historyUpToRound, historyUpToStep } from './runHistory';

describe('a run history cut back to its checkpoint', () => {
  // A self-training run interrupted in round 2: round 0 is the first teacher's fit, round 1 finished.
  const selfTrain = {
    steps: [{ step: 1, round: 0, loss: 0.9 }, { step: 2, round: 1, loss: 0.5 }, { step: 3, round: 2, loss: 0.4 }],
    pseudoLabels: [{ round: 1, count: 8 }, { round: 2, count: 8 }],
    student: [{ round: 1, step: 1, loss: 0.3 }, { round: 2, step: 1, loss: 0.2 }, { round: 2, step: 2, loss: 0.1 }],
    rounds: [{ round: 1, teacherAccuracy: 0.5, studentAccuracy: 1 }],
  };

  it('keeps a self-training run up to its last finished round, so the resumed round is not charted twice', () => {
    const cut = historyUpToRound(selfTrain, 1);
    expect(cut.pseudoLabels).toEqual([{ round: 1, count: 8 }]);
    expect(cut.student).toEqual([{ round: 1, step: 1, loss: 0.3 }]);
    expect(cut.steps.map((r) => r.round)).toEqual([0, 1]);
    expect(cut.rounds).toEqual(selfTrain.rounds);
    expect(historyUpToRound(selfTrain, 0).pseudoLabels).toEqual([]);
    expect(historyUpToRound(selfTrain, 2)).toEqual(selfTrain);
  });

  it('keeps a plain run up to its checkpoint step', () => {
    const plain = { steps: [1, 2, 3, 4].map((step) => ({ step, loss: 1 / step })), evals: [{ step: 2, heldOutAccuracy: 0.5 }, { step: 4, heldOutAccuracy: 1 }] };
    const cut = historyUpToStep(plain, 2);
    expect(cut.steps.map((r) => r.step)).toEqual([1, 2]);
    expect(cut.evals).toEqual([{ step: 2, heldOutAccuracy: 0.5 }]);
  });
});

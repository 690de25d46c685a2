/**
 * One click for the students that were measured: LiST's own, or the one the few-shot benchmark chose on its dev
 * split (STUDENT_PRESETS). The pressed button is the preset the form's student knobs match, if any; every other
 * self-training knob stays as the person set it.
 */
import { useId } from 'react';
import { getTrainingClient } from '../../client';
import { STUDENT_PRESETS, studentPresetOf, type StudentPreset } from '../../selftrain/config';
import { useStudio } from '../../state/store';

const LABELS: Record<StudentPreset, { title: string; help: string }> = {
  list: { title: 'LiST’s student', help: 'soft labels on every pseudo-label, 30 steps on 256 texts a round' },
  measured: { title: 'Measured student', help: 'hard labels on the most confident half, 150 steps on 2,000 texts a round: better in our few-shot benchmark, about five times slower' },
};

export function StudentPresets({ disabled }: { disabled: boolean }) {
  const client = getTrainingClient();
  const current = useStudio((s) => studentPresetOf(s.training.form.selfTrain));
  const id = useId();
  return (
    <div className="config-form__field" role="group" aria-labelledby={`${id}-label`} data-testid="train.selftrain.presets">
      <span id={`${id}-label`}>Student</span>
      <div className="row">
        {(Object.keys(STUDENT_PRESETS) as StudentPreset[]).map((preset) => (
          <button
            key={preset}
            type="button"
            className={preset === current ? 'button button--primary' : 'button'}
            aria-pressed={preset === current}
            aria-describedby={`${id}-${preset}`}
            data-testid={`train.selftrain.preset.${preset}`}
            disabled={disabled}
            onClick={() => client.setStudentPreset(preset)}
          >
            {LABELS[preset].title}
          </button>
        ))}
      </div>
      {(Object.keys(STUDENT_PRESETS) as StudentPreset[]).map((preset) => (
        <p key={preset} id={`${id}-${preset}`} className="muted small config-form__help">
          {LABELS[preset].title}: {LABELS[preset].help}.
        </p>
      ))}
      {current === null ? <p className="muted small config-form__help" data-testid="train.selftrain.preset.none">Your own student: the knobs below differ from both.</p> : null}
    </div>
  );
}

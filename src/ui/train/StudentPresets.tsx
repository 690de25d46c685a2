/**
 * One click for the students that were measured: LiST's own, or the one the few-shot benchmark chose on its dev
 * split (STUDENT_PRESETS). The pressed button is the preset the form's student knobs match, if any; every other
 * self-training knob stays as the person set it.
 */
import { useId } from 'react';
import { getTrainingClient } from '../../client';
import { describeStudent, STUDENT_PRESETS, studentPresetOf, type StudentPreset } from '../../selftrain/config';
import { useStudio } from '../../state/store';

/** Each preset's button, and what its help adds to the student's description (describeStudent). */
const LABELS: Record<StudentPreset, { title: string; note: string }> = {
  list: { title: 'LiST’s student', note: '' },
  measured: { title: 'Measured student', note: ': better in our few-shot benchmark, about five times slower' },
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
          {LABELS[preset].title}: {describeStudent(STUDENT_PRESETS[preset])}
          {LABELS[preset].note}.
        </p>
      ))}
      {current === null ? <p className="muted small config-form__help" data-testid="train.selftrain.preset.none">Your own student: the knobs below differ from both.</p> : null}
    </div>
  );
}

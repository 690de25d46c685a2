/** The Train page's form: a method from the PEFT registry, its knobs, the training and self-training knobs, start and cancel. */
import { useShallow } from 'zustand/react/shallow';
import { getTrainingClient } from '../../client';
import { METHOD_NAMES, type MethodName } from '../../peft/method';
import { PEFT_METHODS } from '../../peft/registry';
import { useStudio } from '../../state/store';
import { TRAINING_FIELDS } from '../../training/fields';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';
import { ConfigForm } from './ConfigForm';
import { SELF_TRAIN_FIELDS } from '../../selftrain/fields';
import { StudentPresets } from './StudentPresets';

export function TrainPanel() {
  const client = getTrainingClient();
  const form = useStudio((s) => s.training.form);
  const error = useStudio((s) => s.training.error);
  const { labelled, labelsUsed, unlabelled, live, modelReady } = useStudio(
    useShallow((s) => {
      let labelled = 0;
      const used = new Set<number>();
      for (const t of s.tasks.texts) {
        if (t.label === null) continue;
        labelled++;
        used.add(t.label);
      }
      return { labelled, labelsUsed: used.size, unlabelled: s.tasks.texts.length - labelled, live: s.training.live !== null, modelReady: s.encoder.model !== null };
    }),
  );
  const method = PEFT_METHODS[form.method];
  // A classifier learns from differences: texts of one label alone would teach it to answer that label always.
  const canTrain = !live && modelReady && labelsUsed >= 2;
  const hint = !modelReady
    ? 'Waiting for the encoder to load…'
    : labelled === 0
      ? 'Label a few texts first (Label page).'
      : labelsUsed < 2
        ? 'Label texts of at least two labels first (Label page): a classifier learns from the differences.'
        : unlabelled === 0
          ? 'Self-training also needs unlabelled texts: add some on the Tasks page.'
          : null;
  return (
    <Panel title="Train" testId="train.panel" description={`${labelled} labelled · ${unlabelled} unlabelled texts. Training runs in a background worker; the page stays usable.`}>
      <div className="config-form__field">
        <label htmlFor="train-method">Method</label>
        <select id="train-method" data-testid="train.method" aria-describedby="train-method-help" value={form.method} disabled={live} onChange={(e) => client.setMethod(e.target.value as MethodName)}>
          {METHOD_NAMES.map((m) => (
            <option key={m} value={m}>
              {PEFT_METHODS[m].label}
            </option>
          ))}
        </select>
        <p id="train-method-help" className="muted small">{method.about}</p>
      </div>
      <h3 className="small-heading">{method.label} settings</h3>
      <ConfigForm
        testId={`train.field.${form.method}`}
        fields={method.fields}
        values={form.configs[form.method] as unknown as Record<string, unknown>}
        onChange={(field, value) => client.setMethodField(form.method, field, value)}
        disabled={live}
      />
      <h3 className="small-heading">Training</h3>
      <ConfigForm testId="train.field.training" fields={TRAINING_FIELDS} values={form.training as unknown as Record<string, unknown>} onChange={(f, v) => client.setTrainingField(f as keyof typeof TRAINING_FIELDS, v)} disabled={live} />
      <details className="config-form__advanced">
        <summary data-testid="train.selftrain.settings">Self-training settings</summary>
        <StudentPresets disabled={live} />
        <ConfigForm testId="train.field.selfTrain" fields={SELF_TRAIN_FIELDS} values={form.selfTrain as unknown as Record<string, unknown>} onChange={(f, v) => client.setSelfTrainField(f, v)} disabled={live} />
      </details>
      <div className="row train-panel__actions">
        <button type="button" className="button button--primary" data-testid="train.start" disabled={!canTrain} aria-describedby={hint ? 'train-hint' : undefined} onClick={() => void client.startTraining()}>
          Train
        </button>
        <button type="button" className="button" data-testid="train.selftrain.start" disabled={!canTrain || unlabelled === 0} aria-describedby={hint ? 'train-hint' : undefined} onClick={() => void client.startSelfTraining()}>
          Self-train
        </button>
        <button type="button" className="button" data-testid="train.cancel" disabled={!live} onClick={() => client.cancel()}>
          Cancel
        </button>
        {hint ? (
          <p className="muted small" id="train-hint" data-testid="train.hint">
            {hint}
          </p>
        ) : null}
      </div>
      {error ? (
        <ErrorMessage testId="train.error" title="Training stopped" error={error}>
          {error.name === 'WorkerCrashed' ? (
            <button type="button" className="button" onClick={() => window.location.reload()}>
              Reload the page
            </button>
          ) : null}
        </ErrorMessage>
      ) : null}
    </Panel>
  );
}

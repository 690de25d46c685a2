/** The task's runs, newest first: status, figures, its saved delta, and Resume for an interrupted one. */
import { getTrainingClient } from '../../client';
import { describeRun, isResumable, resumeLabel } from '../../state/trainingSlice';
import { useStudio } from '../../state/store';
import { formatBytes } from '../format';
import { Panel } from '../common/Panel';

export function RunsList() {
  const client = getTrainingClient();
  const runs = useStudio((s) => s.training.runs);
  const deltas = useStudio((s) => s.training.deltas);
  const selected = useStudio((s) => s.training.selectedRunId);
  const live = useStudio((s) => s.training.live !== null);
  if (runs.length === 0) return null;
  return (
    <Panel title="Runs" testId="train.runs" description="Every run of this task is kept. An interrupted or cancelled run resumes from its last checkpoint: plain training from its last saved step, self-training after its last finished round.">
      <ul className="runs-list">
        {[...runs].reverse().map((run) => {
          const delta = deltas.find((d) => d.id === run.deltaId);
          return (
            <li key={run.id} className={`runs-list__item${run.id === selected ? ' runs-list__item--selected' : ''}`} data-testid="train.run" data-status={run.status} data-kind={run.kind} data-checkpoint-step={run.checkpointStep}>
              <button type="button" className="runs-list__select" aria-pressed={run.id === selected} onClick={() => client.selectRun(run.id)}>
                <strong>{run.kind === 'selfTrain' ? 'Self-training' : 'Training'}</strong> · {run.method} · {new Date(run.createdAt).toLocaleTimeString()}
              </button>
              <span className={`chip chip--${run.status}`} data-testid="train.run.status">
                {run.status}
              </span>
              <span className="muted small">{describeRun(run)}</span>
              {delta ? (
                <span className="small" data-testid="train.run.delta">
                  Delta saved ({delta.format}, {formatBytes(delta.bytes)})
                </span>
              ) : null}
              {run.error ? <p className="small run-error" data-testid="train.run.error">{run.error}</p> : null}
              {isResumable(run) ? (
                <button type="button" className="button" data-testid="train.run.resume" disabled={live} onClick={() => void client.resume(run.id)}>
                  {resumeLabel(run)}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

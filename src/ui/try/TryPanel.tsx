/** Type a text, see the newest model's class probabilities. */
import { useShallow } from 'zustand/react/shallow';
import { getTrainingClient } from '../../client';
import { patchSlice, useStudio } from '../../state/store';
import { describeModel, newestDelta } from '../../state/trainingSlice';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';

export function TryPanel({ labels }: { labels: string[] }) {
  const { text, result, running, error } = useStudio(useShallow((s) => ({ text: s.predict.tryText, result: s.predict.tryResult, running: s.predict.running, error: s.predict.error })));
  const model = useStudio((s) => describeModel(newestDelta(s.training.deltas)));
  const client = getTrainingClient();
  return (
    <Panel title="Try a text" testId="try.panel" description="What the newest model of this task says. Press Ctrl+Enter to classify.">
      <p className="muted small" data-testid="try.model">{model}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void client.tryText(text);
        }}
      >
        <label htmlFor="try-text">Text</label>
        <textarea
          id="try-text"
          data-testid="try.text"
          rows={3}
          value={text}
          onChange={(e) => patchSlice('predict', { tryText: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && e.ctrlKey) {
              e.preventDefault();
              void client.tryText(text);
            }
          }}
        />
        <button type="submit" className="button button--primary" data-testid="try.classify" disabled={running}>
          {running ? 'Classifying…' : 'Classify'}
        </button>
      </form>
      {error ? <ErrorMessage testId="try.error" title="Could not classify" error={error} /> : null}
      {result ? (
        <div data-testid="try.result" aria-live="polite">
          <p className="muted small">
            “<span data-testid="try.result.text">{result.text}</span>”
          </p>
          <ul className="prob-list">
            {result.probabilities.map((p, i) => (
              <li key={labels[i] ?? i} data-testid="try.prob" data-label={labels[i]} data-probability={p.toFixed(4)}>
                <span className="prob-list__name">{labels[i]}</span>
                <span className="prob-list__bar" aria-hidden="true">
                  <span style={{ width: `${(100 * p).toFixed(1)}%` }} />
                </span>
                <span className="prob-list__value">{(100 * p).toFixed(1)}%</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Panel>
  );
}

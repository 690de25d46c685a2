/** Starting a task: a name and its labels (one per line, a description after a colon). */
import { useId, useState } from 'react';
import { createTask } from '../../client/studioData';
import { MAX_LABELS, parseLabelLines } from '../../state/tasksSlice';
import { Panel } from '../common/Panel';

export function NewTaskForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const nameId = useId();
  const labelsId = useId();
  const parsed = parseLabelLines(labels);
  const problem = !name.trim()
    ? 'Give the task a name.'
    : parsed.length < 2
      ? 'Give at least two labels.'
      : parsed.length > MAX_LABELS
        ? `At most ${MAX_LABELS} labels (one per number key).`
        : null;
  return (
    <Panel title="New task" testId="task.form" description="What should the classifier tell apart?">
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (problem) return;
          void createTask(name, parsed).then((ok) => ok && onDone());
        }}
      >
        <div className="field">
          <label htmlFor={nameId}>Name</label>
          <input id={nameId} type="text" value={name} autoFocus data-testid="task.name" placeholder="e.g. Support tickets" onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={labelsId}>Labels</label>
          <textarea
            id={labelsId}
            rows={4}
            value={labels}
            data-testid="task.labels"
            placeholder={'positive: the writer is pleased\nnegative: the writer is unhappy'}
            onChange={(e) => setLabels(e.target.value)}
          />
          <p className="muted small">One label per line; optionally add what it means after a colon.</p>
        </div>
        <div className="row">
          <button type="submit" className="button button--primary" data-testid="task.create" disabled={problem !== null}>
            Create task
          </button>
          <button type="button" className="button button--quiet" onClick={onDone}>
            Cancel
          </button>
          {problem ? <span className="muted small" data-testid="task.form.problem">{problem}</span> : null}
        </div>
      </form>
    </Panel>
  );
}

/** The open task: its name (renamable), labels, counts, and duplicate / delete (with confirmation). */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { deleteTask, duplicateTask, updateTask } from '../../client/studioData';
import { labelledCount } from '../../state/labellingSlice';
import { navigate, useStudio } from '../../state/store';
import type { Task } from '../../storage/db';
import { Panel } from '../common/Panel';

export function TaskDetails({ task }: { task: Task }) {
  const { total, labelled } = useStudio(useShallow((s) => ({ total: s.tasks.texts.length, labelled: labelledCount(s.tasks.texts) })));
  const [renaming, setRenaming] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  return (
    <Panel
      title={task.name}
      testId="task.details"
      actions={
        <>
          <button type="button" className="button" data-testid="task.rename" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <button type="button" className="button" data-testid="task.duplicate" onClick={() => void duplicateTask(task.id)}>
            Duplicate
          </button>
          <button type="button" className="button button--danger" data-testid="task.delete" onClick={() => setConfirmingDelete(true)}>
            Delete
          </button>
        </>
      }
    >
      {renaming ? <RenameForm task={task} onDone={() => setRenaming(false)} /> : null}
      {confirmingDelete ? (
        <div className="confirm" role="alertdialog" aria-label="Delete task" data-testid="task.delete.confirm">
          <p>
            Delete <strong>{task.name}</strong> and its {total} texts? This cannot be undone.
          </p>
          <div className="row">
            <button type="button" className="button button--danger-solid" autoFocus data-testid="task.delete.yes" onClick={() => void deleteTask(task.id)}>
              Delete task
            </button>
            <button type="button" className="button" data-testid="task.delete.no" onClick={() => setConfirmingDelete(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}
      <ul className="label-chips" aria-label="Labels" data-testid="task.details.labels">
        {task.labels.map((label, i) => (
          <li key={label.name} className="label-chip" title={label.description || undefined}>
            <kbd>{i + 1}</kbd> {label.name}
            {label.description ? <span className="muted small"> — {label.description}</span> : null}
          </li>
        ))}
      </ul>
      <div className="row">
        <p data-testid="task.details.counts">
          {total} texts · {labelled} labelled
        </p>
        <button type="button" className="button button--primary" data-testid="task.open-label" disabled={total === 0} onClick={() => navigate('label')}>
          Start labelling
        </button>
      </div>
    </Panel>
  );
}

function RenameForm({ task, onDone }: { task: Task; onDone: () => void }) {
  const [name, setName] = useState(task.name);
  const id = useId();
  return (
    <form
      className="row"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim()) void updateTask(task.id, { name: name.trim() }).then(onDone);
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        New name
      </label>
      <input id={id} type="text" value={name} autoFocus data-testid="task.rename.input" onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button--primary" data-testid="task.rename.save" disabled={!name.trim()}>
        Save
      </button>
      <button type="button" className="button button--quiet" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

/** The task sidebar: every task side by side, the one open now marked, a way to start a new one, storage used. */
import { useShallow } from 'zustand/react/shallow';
import { selectTask } from '../../client/studioData';
import { useStudio } from '../../state/store';
import { formatBytes } from '../format';

export function TaskList({ onNew }: { onNew: () => void }) {
  const { list, currentId } = useStudio(useShallow((s) => ({ list: s.tasks.list, currentId: s.tasks.currentId })));
  return (
    <nav className="panel task-list" aria-label="Tasks" data-testid="task.list">
      <div className="task-list__head">
        <h2>Tasks</h2>
        <button type="button" className="button button--primary" data-testid="task.new" onClick={onNew}>
          New task
        </button>
      </div>
      {list.length === 0 ? (
        <p className="muted small">No tasks yet.</p>
      ) : (
        <ul className="task-list__items">
          {list.map((task) => (
            <li key={task.id}>
              <button
                type="button"
                className="task-list__item"
                aria-current={task.id === currentId ? 'true' : undefined}
                data-testid="task.list.item"
                onClick={() => void selectTask(task.id)}
              >
                <span className="task-list__name">{task.name}</span>
                <span className="muted small">{task.labels.length} labels</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <StorageUsed />
    </nav>
  );
}

function StorageUsed() {
  const storage = useStudio((s) => s.tasks.storage);
  if (!storage) return null;
  const percent = storage.quota > 0 ? (100 * storage.usage) / storage.quota : 0;
  return (
    <p className="muted small task-list__storage" data-testid="storage.used">
      Storage used: {formatBytes(storage.usage)} of {formatBytes(storage.quota)} ({percent < 0.1 ? '<0.1' : percent.toFixed(1)}%)
    </p>
  );
}

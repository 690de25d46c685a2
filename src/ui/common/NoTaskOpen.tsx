import { navigate } from '../../state/store';

/** What a task's page shows while no task is open: a way to the Tasks page. */
export function NoTaskOpen() {
  return (
    <div className="panel" data-testid="no-task">
      <p>
        No task is open.{' '}
        <button type="button" className="button" onClick={() => navigate('tasks')}>
          Create or open one on the Tasks page
        </button>
      </p>
    </div>
  );
}

/** The tasks page: the task list beside the open task, and a place to add its texts. */
import { useState } from 'react';
import { useStudio } from '../../state/store';
import { PAGES } from '../../state/navigationSlice';
import { AddTextsPanel } from '../tasks/AddTextsPanel';
import { NewTaskForm } from '../tasks/NewTaskForm';
import { OpenSharedPanel } from '../tasks/OpenSharedPanel';
import { TaskDetails } from '../tasks/TaskDetails';
import { TaskList } from '../tasks/TaskList';
import { StorageErrorBanner } from '../tasks/StorageErrorBanner';

export function TasksPage() {
  const task = useStudio((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId) ?? null);
  const loaded = useStudio((s) => s.tasks.loaded);
  const [creating, setCreating] = useState(false);
  const showForm = creating || (loaded && !task);
  return (
    <div className="page" data-testid="page.tasks">
      <div className="page__intro">
        <h1>{PAGES.tasks.title}</h1>
        <p className="muted">{PAGES.tasks.summary} Everything is kept in this browser; no text leaves your machine.</p>
      </div>
      <StorageErrorBanner />
      <div className="tasks-layout">
        <TaskList onNew={() => setCreating(true)} />
        <div className="page__column">
          {showForm ? <NewTaskForm onDone={() => setCreating(false)} /> : null}
          {task && !creating ? (
            <>
              <TaskDetails task={task} />
              <AddTextsPanel />
            </>
          ) : null}
          <OpenSharedPanel />
        </div>
      </div>
    </div>
  );
}

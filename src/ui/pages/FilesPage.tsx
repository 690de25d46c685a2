/** The Files page: the open task's adapters (history, download, delete), importing one, and sharing the task. */
import { useEffect } from 'react';
import { loadDeltas } from '../../client/filesData';
import { PAGES } from '../../state/navigationSlice';
import { useStudio } from '../../state/store';
import { DeltaList } from '../files/DeltaList';
import { ImportAdapterPanel } from '../files/ImportAdapterPanel';
import { SharePanel } from '../files/SharePanel';
import { NoTaskOpen } from '../common/NoTaskOpen';

export function FilesPage() {
  const taskId = useStudio((s) => s.tasks.currentId);
  const taskName = useStudio((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId)?.name ?? null);
  useEffect(() => {
    if (taskId) void loadDeltas(taskId);
  }, [taskId]);
  return (
    <div className="page" data-testid="page.files">
      <div className="page__intro">
        <h1>{PAGES.files.title}</h1>
        <p className="muted">
          {taskName ? (
            <>
              Task <strong data-testid="files.task">{taskName}</strong>. {PAGES.files.summary}
            </>
          ) : (
            PAGES.files.summary
          )}
        </p>
      </div>
      {taskId ? (
        <div className="page__column">
          <DeltaList />
          <ImportAdapterPanel />
          <SharePanel />
        </div>
      ) : (
        <NoTaskOpen />
      )}
    </div>
  );
}

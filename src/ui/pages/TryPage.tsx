/** The Try page: classify a typed text, predict the unlabelled texts, export them. */
import { useShallow } from 'zustand/react/shallow';
import { PAGES } from '../../state/navigationSlice';
import { navigate, useStudio } from '../../state/store';
import { PredictAllPanel } from '../try/PredictAllPanel';
import { TryPanel } from '../try/TryPanel';

export function TryPage() {
  const task = useStudio((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId) ?? null);
  const labels = useStudio(useShallow((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId)?.labels.map((l) => l.name) ?? []));
  const hasModel = useStudio((s) => s.training.deltas.length > 0);
  return (
    <div className="page" data-testid="page.try">
      <div className="page__intro">
        <h1>{PAGES.try.title}</h1>
        <p className="muted">{PAGES.try.summary}</p>
      </div>
      {task && hasModel ? (
        <div className="page__grid">
          <div className="page__column">
            <TryPanel labels={labels} />
          </div>
          <div className="page__column page__column--wide">
            <PredictAllPanel labels={labels} taskName={task.name} />
          </div>
        </div>
      ) : (
        <div className="panel" data-testid="try.empty">
          <p>
            {task ? 'This task has no trained model yet.' : 'No task is open.'}{' '}
            <button type="button" className="button" onClick={() => navigate(task ? 'train' : 'tasks')}>
              {task ? 'Train one' : 'Open the Tasks page'}
            </button>
          </p>
        </div>
      )}
    </div>
  );
}

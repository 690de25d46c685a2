/** The Train page: the form, the runs of the task, the charts of the selected run and, for self-training, its rounds. */
import { PAGES } from '../../state/navigationSlice';
import { useStudio } from '../../state/store';
import { NoTaskOpen } from '../common/NoTaskOpen';
import { StorageErrorBanner } from '../tasks/StorageErrorBanner';
import { RunsList } from '../train/RunsList';
import { SelfTrainView } from '../train/SelfTrainView';
import { TrainCharts } from '../train/TrainCharts';
import { TrainPanel } from '../train/TrainPanel';

export function TrainPage() {
  const hasTask = useStudio((s) => s.tasks.currentId !== null);
  const loaded = useStudio((s) => s.tasks.loaded);
  return (
    <div className="page" data-testid="page.train">
      <div className="page__intro">
        <h1>{PAGES.train.title}</h1>
        <p className="muted">{PAGES.train.summary}</p>
      </div>
      <StorageErrorBanner />
      {hasTask ? (
        <div className="page__grid">
          <div className="page__column">
            <TrainPanel />
          </div>
          <div className="page__column page__column--wide">
            <TrainCharts />
            <SelfTrainView />
            <RunsList />
          </div>
        </div>
      ) : loaded ? (
        <NoTaskOpen />
      ) : null}
    </div>
  );
}

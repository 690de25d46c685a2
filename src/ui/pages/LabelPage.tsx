/** The labelling page: one text at a time, and the table of every text below it. */
import { PAGES } from '../../state/navigationSlice';
import { useStudio } from '../../state/store';
import { LabelCard } from '../label/LabelCard';
import { TextsTable } from '../label/TextsTable';
import { NoTaskOpen } from '../common/NoTaskOpen';
import { StorageErrorBanner } from '../tasks/StorageErrorBanner';

export function LabelPage() {
  const task = useStudio((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId) ?? null);
  const loaded = useStudio((s) => s.tasks.loaded);
  return (
    <div className="page" data-testid="page.label">
      <div className="page__intro">
        <h1>{PAGES.label.title}</h1>
        <p className="muted">{PAGES.label.summary}</p>
      </div>
      <StorageErrorBanner />
      {task ? (
        <>
          <LabelCard task={task} />
          <TextsTable task={task} />
        </>
      ) : loaded ? (
        <NoTaskOpen />
      ) : null}
    </div>
  );
}

/** Bytes of the current (or last finished) model load: loaded / total, the file being read, cache or network. */
import { useStudio } from '../../state/store';
import { formatBytes, percent } from '../format';

export function LoadProgressBar() {
  const loading = useStudio((s) => s.encoder.loading);
  const lastLoad = useStudio((s) => s.encoder.lastLoad);
  const progress = loading ? loading.progress : (lastLoad?.progress ?? null);
  if (!loading && !lastLoad) return null;

  const done = !loading;
  const loaded = progress?.loaded ?? 0;
  const total = progress?.total ?? 0;
  const value = done ? 100 : percent(loaded, total);
  const label = loading ? `Loading ${loading.source.id}` : `Loaded ${lastLoad?.source.id ?? ''}`;
  const indeterminate = !done && total === 0;

  return (
    <div className="progress" data-testid="encoder.progress" data-state={done ? 'done' : 'loading'}>
      <div className="progress__label">
        <span>{label}</span>
        <span className="progress__percent" data-testid="encoder.progress.percent">
          {indeterminate ? '…' : `${value}%`}
        </span>
      </div>
      <div
        className={`progress__track ${indeterminate ? 'progress__track--indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={indeterminate ? undefined : value}
        data-testid="encoder.progress.bar"
      >
        <div className="progress__fill" style={{ width: `${indeterminate ? 30 : value}%` }} />
      </div>
      <div className="progress__detail muted small">
        <span data-testid="encoder.progress.file">{done ? 'all files' : (progress?.file ?? 'starting…')}</span>
        <span data-testid="encoder.progress.bytes">
          {formatBytes(loaded)}
          {total > 0 ? ` / ${formatBytes(total)}` : ''}
        </span>
        <span data-testid="encoder.progress.source" className={progress?.fromCache ? 'badge badge--cache' : 'badge'}>
          {progress ? (progress.fromCache ? 'from cache' : 'from network') : ''}
        </span>
      </div>
    </div>
  );
}

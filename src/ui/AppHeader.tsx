/** The studio's header: name, page navigation, and what the encoder runs on right now. */
import { useShallow } from 'zustand/react/shallow';
import { PAGES, type PageId } from '../state/navigationSlice';
import { navigate, useStudio } from '../state/store';

export function AppHeader() {
  const page = useStudio((s) => s.navigation.page);
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          ◐
        </span>
        <span className="app-header__name">Tabtune</span>
        <span className="app-header__tag">studio</span>
      </div>
      <nav aria-label="Studio pages" className="app-header__nav">
        {(Object.keys(PAGES) as PageId[]).map((id) => (
          <a
            key={id}
            href={PAGES[id].hash}
            aria-current={page === id ? 'page' : undefined}
            data-testid={`nav.${id}`}
            onClick={(event) => {
              event.preventDefault();
              navigate(id);
            }}
          >
            {PAGES[id].title}
          </a>
        ))}
      </nav>
      <HeaderStatus />
    </header>
  );
}

function HeaderStatus() {
  const { modelId, loading, backend, switching } = useStudio(
    useShallow((s) => ({
      modelId: s.encoder.model?.id ?? null,
      loading: s.encoder.loading !== null,
      backend: s.backend.info?.backend ?? null,
      switching: s.backend.switching,
    })),
  );
  return (
    <div className="app-header__status" aria-live="polite" data-testid="header.status">
      <span className="chip" title="Encoder in use">
        <span className={`dot ${modelId ? 'dot--ok' : loading ? 'dot--busy' : 'dot--idle'}`} aria-hidden="true" />
        {modelId ?? (loading ? 'Loading encoder…' : 'No encoder')}
      </span>
      <span className="chip" title="Compute backend">
        {switching ? 'Switching…' : (backend ?? '—')}
      </span>
    </div>
  );
}

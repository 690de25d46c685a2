/** The studio shell: header plus the current page. New pages are a row in PAGES and a case here. */
import { assertNever } from '../protocol/messages';
import type { PageId } from '../state/navigationSlice';
import { useStudio } from '../state/store';
import { AppHeader } from './AppHeader';
import { EncoderPage } from './pages/EncoderPage';
import { FilesPage } from './pages/FilesPage';
import { LabelPage } from './pages/LabelPage';
import { TasksPage } from './pages/TasksPage';
import { TrainPage } from './pages/TrainPage';
import { TryPage } from './pages/TryPage';

export function App() {
  const page = useStudio((s) => s.navigation.page);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" className="app-main" tabIndex={-1}>
        <CurrentPage page={page} />
      </main>
    </div>
  );
}

function CurrentPage({ page }: { page: PageId }) {
  switch (page) {
    case 'tasks':
      return <TasksPage />;
    case 'label':
      return <LabelPage />;
    case 'files':
      return <FilesPage />;
    case 'train':
      return <TrainPage />;
    case 'try':
      return <TryPage />;
    case 'encoder':
      return <EncoderPage />;
    default:
      return assertNever(page, 'page');
  }
}

/** The encoder page: which model, on which backend, and a place to try it. */
import { PAGES } from '../../state/navigationSlice';
import { BackendPanel } from '../encoder/BackendPanel';
import { LoadModelPanel } from '../encoder/LoadModelPanel';
import { ModelPanel } from '../encoder/ModelPanel';
import { TryEncoderPanel } from '../encoder/TryEncoderPanel';

export function EncoderPage() {
  return (
    <div className="page" data-testid="page.encoder">
      <div className="page__intro">
        <h1>{PAGES.encoder.title}</h1>
        <p className="muted">{PAGES.encoder.summary} Everything runs in this tab; no text leaves your machine.</p>
      </div>
      <div className="page__grid">
        <div className="page__column">
          <ModelPanel />
          <BackendPanel />
        </div>
        <div className="page__column page__column--wide">
          <TryEncoderPanel />
          <LoadModelPanel />
        </div>
      </div>
    </div>
  );
}

/** The compute backend: what runs the encoder, on which adapter, and a way to choose another. */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getEncoderClient } from '../../client';
import { BACKEND_PREFERENCES, isBackendPreference, type BackendInfo, type BackendPreference } from '../../protocol/messages';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';

const PREFERENCE_LABELS: Record<BackendPreference, string> = {
  auto: 'Automatic',
  webgpu: 'WebGPU',
  wasm: 'WebAssembly',
  cpu: 'CPU (plain JavaScript)',
};

export function BackendPanel() {
  const selectId = useId();
  const hintId = useId();
  const { preference, info, switching, error, busy } = useStudio(
    useShallow((s) => ({
      preference: s.backend.preference,
      info: s.backend.info,
      switching: s.backend.switching,
      error: s.backend.error,
      busy: s.encoder.loading !== null,
    })),
  );

  return (
    <Panel title="Backend" testId="backend.panel">
      <div className="field">
        <label htmlFor={selectId}>Run the encoder on</label>
        <select
          id={selectId}
          value={preference}
          disabled={switching || busy}
          aria-describedby={hintId}
          data-testid="backend.select"
          onChange={(event) => {
            const next = event.target.value;
            if (isBackendPreference(next)) void getEncoderClient().setBackend(next).catch(() => undefined);
          }}
        >
          {BACKEND_PREFERENCES.map((p) => (
            <option key={p} value={p}>
              {PREFERENCE_LABELS[p]}
            </option>
          ))}
        </select>
        <p id={hintId} className="small muted">
          Automatic tries WebGPU, then WebAssembly, then plain JavaScript. Switching keeps the loaded model.
        </p>
      </div>
      {switching ? (
        <p className="muted small" role="status" data-testid="backend.switching">
          Starting the backend…
        </p>
      ) : null}
      {error ? <ErrorMessage testId="backend.error" title="Could not switch backend" error={error} /> : null}
      {info ? <BackendFacts info={info} /> : null}
    </Panel>
  );
}

function BackendFacts({ info }: { info: BackendInfo }) {
  return (
    <dl className="facts" data-testid="backend.info">
      <div className="facts__row">
        <dt>In use</dt>
        <dd data-testid="backend.name">{info.backend}</dd>
      </div>
      {info.adapter ? (
        <>
          <div className="facts__row">
            <dt>Adapter</dt>
            <dd data-testid="backend.adapter">
              {[info.adapter.vendor, info.adapter.architecture].filter(Boolean).join(' · ') || 'unnamed adapter'}
            </dd>
          </div>
          {info.adapter.description ? (
            <div className="facts__row">
              <dt>Description</dt>
              <dd data-testid="backend.adapter.description">{info.adapter.description}</dd>
            </div>
          ) : null}
          <div className="facts__row">
            <dt>Fallback adapter</dt>
            <dd data-testid="backend.adapter.fallback" data-fallback={String(info.adapter.isFallbackAdapter)}>
              {info.adapter.isFallbackAdapter ? 'yes (software emulation: correct, but slow)' : 'no (hardware)'}
            </dd>
          </div>
        </>
      ) : null}
      {info.threads !== undefined ? (
        <div className="facts__row">
          <dt>Threads</dt>
          <dd data-testid="backend.threads">{info.threads}</dd>
        </div>
      ) : null}
      {info.fallbackReason ? (
        <div className="facts__row">
          <dt>Note</dt>
          <dd data-testid="backend.fallbackReason">{info.fallbackReason}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** The encoder in use: its shape, weights and fingerprint; the load in progress; the last load error. */
import { getEncoderClient } from '../../client';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';
import { formatBytes, formatMs, shortFingerprint } from '../format';
import { LoadProgressBar } from './LoadProgressBar';

export function ModelPanel() {
  const model = useStudio((s) => s.encoder.model);
  const loading = useStudio((s) => s.encoder.loading);
  const error = useStudio((s) => s.encoder.error);

  return (
    <Panel
      title="Model"
      testId="model.panel"
      actions={
        loading ? (
          <button type="button" className="button button--quiet" onClick={() => getEncoderClient().cancelLoad()} data-testid="load.cancel">
            Cancel load
          </button>
        ) : null
      }
    >
      <LoadProgressBar />
      {error ? (
        <ErrorMessage testId="encoder.error" title={`Could not load ${error.source.id}`} error={error.error}>
          {error.source.kind !== 'files' ? (
            // Picked files would fail the same way again: a person picks new ones in the Load panel instead.
            <button type="button" className="button" onClick={() => void getEncoderClient().retryLoad()?.catch(() => undefined)} data-testid="encoder.error.retry">
              Retry
            </button>
          ) : null}
          <button type="button" className="button button--quiet" onClick={() => getEncoderClient().dismissLoadError()} data-testid="encoder.error.dismiss">
            Dismiss
          </button>
          {model ? <span className="muted small">Still using {model.id}.</span> : null}
        </ErrorMessage>
      ) : null}
      {model ? (
        <dl className="facts" data-testid="model.info">
          <Fact label="Model" testId="model.id" value={model.id} />
          <Fact label="Architecture" testId="model.type" value={`${model.modelType}, ${model.heads} heads`} />
          <Fact label="Layers" testId="model.layers" value={String(model.layers)} />
          <Fact label="Hidden size" testId="model.hidden" value={String(model.hiddenSize)} />
          <Fact label="Weights" testId="model.quantization" value={model.quantization} />
          <Fact label="Pooling" testId="model.pooling" value={`${model.pooling}${model.normalize ? ', normalised' : ''}`} />
          <Fact label="Size" testId="model.bytes" value={formatBytes(model.bytes)} />
          <Fact label="Fingerprint" testId="model.fingerprint" value={shortFingerprint(model.fingerprint)} title={model.fingerprint} mono />
          <Fact label="Loaded" testId="model.loaded" value={`${model.fromCache ? 'from cache' : 'from network'} in ${formatMs(model.loadMs)}`} />
        </dl>
      ) : loading ? null : (
        <p className="muted" data-testid="model.empty">
          No encoder loaded.
        </p>
      )}
    </Panel>
  );
}

function Fact({ label, value, testId, title, mono }: { label: string; value: string; testId: string; title?: string; mono?: boolean }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd data-testid={testId} title={title} className={mono ? 'mono' : undefined}>
        {value}
      </dd>
    </div>
  );
}

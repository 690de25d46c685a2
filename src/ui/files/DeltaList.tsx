/** The open task's adapters, newest first: method, when, where from, config, metrics, size; download and delete. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { deleteDelta, downloadDelta } from '../../client/filesData';
import type { DeltaSummary } from '../../state/filesSlice';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';
import { formatBytes } from '../format';

const SOURCES: Record<DeltaSummary['source'], string> = { trained: 'trained here', imported: 'imported file', link: 'share link' };

/** The config's fields other than its method tag, as `key=value` pairs. */
export function configSummary(config: unknown): string {
  if (typeof config !== 'object' || config === null) return '—';
  const parts = Object.entries(config as Record<string, unknown>)
    .filter(([k, v]) => k !== 'method' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || Array.isArray(v)))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`);
  return parts.length ? parts.join(', ') : 'defaults';
}

function metricsSummary(metrics: Record<string, number | null>): string {
  const parts = Object.entries(metrics)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => (k.toLowerCase().includes('accuracy') && (v as number) <= 1 ? `${k} ${((v as number) * 100).toFixed(1)}%` : `${k} ${Number((v as number).toPrecision(4))}`));
  return parts.length ? parts.join(', ') : '—';
}

export function DeltaList() {
  const { deltas, error, notice } = useStudio(useShallow((s) => ({ deltas: s.files.deltas, error: s.files.error, notice: s.files.notice })));
  return (
    <Panel title="Adapters" testId="files.deltas" description="Every trained or imported adapter of this task, newest first. Downloads are the zip that peft / AdapterHub load.">
      {error ? <ErrorMessage testId="files.error" title="That did not work" error={error} /> : null}
      {notice ? (
        <p role="status" className="small" data-testid="files.notice">
          {notice}
        </p>
      ) : null}
      {deltas.length === 0 ? (
        <p className="muted" data-testid="files.deltas.empty">
          No adapters yet: train this task, or import an adapter file below.
        </p>
      ) : (
        <table className="deltas-table" data-testid="files.deltas.table">
          <caption className="visually-hidden">Adapters of this task</caption>
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">When</th>
              <th scope="col">Source</th>
              <th scope="col">Config</th>
              <th scope="col">Metrics</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deltas.map((d) => (
              <DeltaRow key={d.id} delta={d} />
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function DeltaRow({ delta }: { delta: DeltaSummary }) {
  const [confirming, setConfirming] = useState(false);
  const when = new Date(delta.createdAt);
  return (
    <tr data-testid="files.delta" data-delta-id={delta.id}>
      <th scope="row" data-testid="files.delta.method">
        {delta.method} <span className="muted small">({delta.format})</span>
      </th>
      <td>
        <time dateTime={when.toISOString()}>{when.toLocaleString()}</time>
      </td>
      <td data-testid="files.delta.source">{SOURCES[delta.source]}</td>
      <td className="small">{configSummary(delta.config)}</td>
      <td className="small" data-testid="files.delta.metrics">
        {metricsSummary(delta.metrics)}
      </td>
      <td>{formatBytes(delta.bytes)}</td>
      <td>
        {confirming ? (
          <div className="row" role="group" aria-label={`Delete the ${delta.method} adapter?`} data-testid="files.delta.confirm">
            <button type="button" className="button button--danger-solid" autoFocus data-testid="files.delta.delete.yes" onClick={() => void deleteDelta(delta.id)}>
              Delete adapter
            </button>
            <button type="button" className="button" data-testid="files.delta.delete.no" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <div className="row">
            <button type="button" className="button" data-testid="files.delta.download" aria-label={`Download the ${delta.method} adapter from ${when.toLocaleString()}`} onClick={() => void downloadDelta(delta.id)}>
              Download
            </button>
            <button type="button" className="button button--danger" data-testid="files.delta.delete" aria-label={`Delete the ${delta.method} adapter from ${when.toLocaleString()}`} onClick={() => setConfirming(true)}>
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

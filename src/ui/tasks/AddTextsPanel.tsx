/**
 * Adding texts: paste one per line, or upload .txt, .csv, .tsv or .jsonl. A table first asks which column
 * holds the text (and, optionally, the label). A progress bar runs while texts are stored, and a report says
 * what was added and what was not (empty lines, duplicates, malformed lines with their numbers).
 */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cancelPending, choosePendingColumns, importFile, importPasted, importPending } from '../../client/studioData';
import type { ImportReport, PendingTable } from '../../state/importSlice';
import { useStudio } from '../../state/store';
import { Panel } from '../common/Panel';
import { percent } from '../format';

export function AddTextsPanel() {
  const [pasted, setPasted] = useState('');
  const pasteId = useId();
  const fileId = useId();
  const { pending, progress, report, error } = useStudio(
    useShallow((s) => ({ pending: s.importing.pending, progress: s.importing.progress, report: s.importing.report, error: s.importing.error })),
  );
  const busy = progress !== null;
  return (
    <Panel title="Add texts" testId="texts.add" description="Everything stays in this browser.">
      <div className="stack">
        <div className="field">
          <label htmlFor={pasteId}>Paste texts, one per line</label>
          <textarea id={pasteId} rows={5} value={pasted} data-testid="texts.paste" onChange={(e) => setPasted(e.target.value)} />
          <div className="row">
            <button
              type="button"
              className="button button--primary"
              data-testid="texts.paste.add"
              disabled={busy || !pasted.trim()}
              onClick={() => void importPasted(pasted).then((saved) => saved && setPasted(''))}
            >
              Add texts
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor={fileId}>Or upload a file (.txt, .csv, .tsv, .jsonl)</label>
          <input
            id={fileId}
            type="file"
            accept=".txt,.csv,.tsv,.jsonl,.ndjson,text/plain,text/csv,text/tab-separated-values"
            data-testid="texts.file"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
        {pending ? <ColumnChooser pending={pending} busy={busy} /> : null}
        {progress ? (
          <div className="progress" data-testid="texts.progress" data-phase={progress.phase}>
            <div className="progress__label">
              <span>{progress.phase === 'reading' ? 'Reading texts…' : 'Saving texts…'}</span>
              {progress.phase === 'saving' ? (
                <span className="progress__percent">
                  {progress.done.toLocaleString()} / {progress.total.toLocaleString()}
                </span>
              ) : null}
            </div>
            <div
              className="progress__track"
              role="progressbar"
              aria-label={progress.phase === 'reading' ? 'Reading texts' : 'Saving texts'}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress.phase === 'saving' ? percent(progress.done, progress.total) : undefined}
            >
              <div className="progress__fill" style={{ width: `${progress.phase === 'saving' ? percent(progress.done, progress.total) : 0}%` }} />
            </div>
          </div>
        ) : null}
        {error ? (
          <div className="error-message" role="alert" data-testid="texts.error">
            <div className="error-message__head">
              <strong>Those texts were not added</strong>
              <code className="error-message__code">{error.name}</code>
            </div>
            <p className="error-message__text">{error.message}</p>
          </div>
        ) : null}
        {report ? <ImportReportView report={report} /> : null}
      </div>
    </Panel>
  );
}

function ColumnChooser({ pending, busy }: { pending: PendingTable; busy: boolean }) {
  const textId = useId();
  const labelId = useId();
  const { header, rowCount, firstRow } = pending;
  return (
    <div className="column-chooser" data-testid="texts.columns">
      <p>
        <strong>{pending.fileName}</strong>: {rowCount} rows. Which column holds the text?
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor={textId}>Text column</label>
          <select id={textId} data-testid="texts.columns.text" value={pending.textColumn} onChange={(e) => choosePendingColumns(Number(e.target.value), pending.labelColumn)}>
            {header.map((name, i) => (
              <option key={i} value={i}>
                {name || `column ${i + 1}`}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={labelId}>Label column (optional)</label>
          <select id={labelId} data-testid="texts.columns.label" value={pending.labelColumn} onChange={(e) => choosePendingColumns(pending.textColumn, Number(e.target.value))}>
            <option value={-1}>None</option>
            {header.map((name, i) => (
              <option key={i} value={i}>
                {name || `column ${i + 1}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      {firstRow ? (
        <p className="muted small preview" data-testid="texts.columns.preview">
          First row: “{firstRow[pending.textColumn]}”
          {pending.labelColumn >= 0 ? ` → ${firstRow[pending.labelColumn] || '(no label)'}` : ''}
        </p>
      ) : null}
      <div className="row">
        <button type="button" className="button button--primary" data-testid="texts.columns.import" disabled={busy} onClick={() => void importPending()}>
          Import {rowCount} rows
        </button>
        <button type="button" className="button button--quiet" onClick={cancelPending}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ImportReportView({ report }: { report: ImportReport }) {
  return (
    <div className="import-report" role="status" data-testid="texts.report">
      <p>
        From <strong>{report.source}</strong>: <span data-testid="texts.report.added">{report.added}</span> added
        {report.labelled > 0 ? `, ${report.labelled} with a label` : ''}.
      </p>
      <ul className="small">
        <li data-testid="texts.report.duplicates">{report.duplicates} duplicates not added</li>
        <li data-testid="texts.report.empty">{report.empty} empty lines skipped</li>
        {report.unmatchedLabels > 0 ? <li data-testid="texts.report.unmatched">{report.unmatchedLabels} labels matched none of the task's labels (left unlabelled)</li> : null}
        {report.malformed.length > 0 ? (
          <li data-testid="texts.report.malformed">
            {report.malformed.length} malformed lines not added:{' '}
            {report.malformed
              .slice(0, 10)
              .map((m) => `line ${m.line} (${m.reason})`)
              .join('; ')}
            {report.malformed.length > 10 ? ` and ${report.malformed.length - 10} more` : ''}
          </li>
        ) : null}
      </ul>
    </div>
  );
}

/** Importing an adapter zip exported by Tabtune into the open task; a refused file is explained and changes nothing. */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { importAdapter } from '../../client/filesData';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';

export function ImportAdapterPanel() {
  const inputId = useId();
  const { importing, importError } = useStudio(useShallow((s) => ({ importing: s.files.importing, importError: s.files.importError })));
  return (
    <Panel title="Import an adapter" testId="files.import" description="A .zip that Tabtune exported, for this encoder and these labels. It is checked whole before it is kept.">
      <div className="field">
        <label htmlFor={inputId}>Adapter file (.zip)</label>
        <input
          id={inputId}
          type="file"
          accept=".zip,application/zip"
          data-testid="files.import.input"
          disabled={importing}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importAdapter(file);
          }}
        />
      </div>
      {importing ? (
        <p role="status" className="small">
          Checking the adapter…
        </p>
      ) : null}
      {importError ? (
        <ErrorMessage testId="files.import.error" title="The adapter was not imported" error={importError}>
          <p className="small">Nothing was changed: this task and its adapters are as they were.</p>
        </ErrorMessage>
      ) : null}
    </Panel>
  );
}

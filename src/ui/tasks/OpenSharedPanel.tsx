/**
 * Opening a shared task: paste a share link, pick a task file, or drop one here. It always becomes a new task;
 * a link or file that fails a check is explained and changes nothing.
 */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { openShareLink, openTaskFile } from '../../client/shareData';
import { TASK_FILE_EXTENSION } from '../../share';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';

export function OpenSharedPanel() {
  const linkId = useId();
  const fileId = useId();
  const [pasted, setPasted] = useState('');
  const [dragging, setDragging] = useState(false);
  const { opened, openError } = useStudio(useShallow((s) => ({ opened: s.sharing.opened, openError: s.sharing.openError })));
  return (
    <Panel title="Open a shared task" testId="open-shared" description="From a share link or a .tabtune task file. It is added as a new task; nothing you have is changed.">
      <div
        className={`drop-zone stack${dragging ? ' drop-zone--active' : ''}`}
        data-testid="open-shared.drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer.files[0];
          if (file) void openTaskFile(file);
        }}
      >
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            if (pasted.trim()) void openShareLink(pasted).then((ok) => ok && setPasted(''));
          }}
        >
          <label htmlFor={linkId}>Share link</label>
          <div className="row">
            <input id={linkId} type="text" value={pasted} placeholder="https://…#share=…" data-testid="open-shared.link" onChange={(e) => setPasted(e.target.value)} />
            <button type="submit" className="button button--primary" data-testid="open-shared.open" disabled={!pasted.trim()}>
              Open link
            </button>
          </div>
        </form>
        <div className="field">
          <label htmlFor={fileId}>Or a task file ({TASK_FILE_EXTENSION}), picked or dropped here</label>
          <input
            id={fileId}
            type="file"
            accept={`${TASK_FILE_EXTENSION},application/octet-stream`}
            data-testid="open-shared.file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void openTaskFile(file);
            }}
          />
        </div>
      </div>
      {opened ? (
        <p role="status" className="small" data-testid="open-shared.opened">
          Opened the shared task as a new task <strong>{opened.name}</strong> with {opened.examples} labelled examples{opened.withDelta ? ' and its adapter' : ''}.
          {opened.name !== opened.sharedName ? ` You already had a task named "${opened.sharedName}"; it is untouched.` : ''}
        </p>
      ) : null}
      {openError ? (
        <ErrorMessage testId="open-shared.error" title="The shared task was not opened" error={openError}>
          <p className="small">Nothing was changed: your tasks are as they were.</p>
        </ErrorMessage>
      ) : null}
    </Panel>
  );
}

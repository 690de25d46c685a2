/**
 * Sharing the open task: a link that carries it in its fragment (nothing goes to a server), or, when it is too
 * large for a link, a task file with the same content.
 */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { downloadTaskFile, makeLink } from '../../client/shareData';
import { useStudio } from '../../state/store';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';

export function SharePanel() {
  const linkId = useId();
  const taskId = useStudio((s) => s.tasks.currentId);
  const { making, link, tooLarge, makeError } = useStudio(useShallow((s) => ({ making: s.sharing.making, link: s.sharing.link, tooLarge: s.sharing.tooLarge, makeError: s.sharing.makeError })));
  const [copied, setCopied] = useState(false);
  const shownLink = link?.taskId === taskId ? link : null;
  const shownTooLarge = tooLarge?.taskId === taskId ? tooLarge : null;
  return (
    <Panel
      title="Share this task"
      testId="share"
      description="The name, labels and descriptions, the labelled examples, the latest settings and (when it fits) the latest adapter. Unlabelled texts stay here. The link holds everything itself: nothing is uploaded."
    >
      <div className="row">
        <button type="button" className="button button--primary" data-testid="share.make" disabled={making} onClick={() => void makeLink().then(() => setCopied(false))}>
          {making ? 'Making the link…' : 'Make a share link'}
        </button>
        <button type="button" className="button" data-testid="share.file" onClick={() => void downloadTaskFile()}>
          Download task file
        </button>
      </div>
      {shownLink ? (
        <div className="stack" data-testid="share.result">
          <label htmlFor={linkId}>Share link ({shownLink.url.length.toLocaleString('en')} characters)</label>
          <div className="row">
            <input id={linkId} className="share-link" type="text" readOnly value={shownLink.url} data-testid="share.link" onFocus={(e) => e.target.select()} />
            <button
              type="button"
              className="button"
              data-testid="share.copy"
              onClick={() =>
                void navigator.clipboard?.writeText(shownLink.url).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              Copy
            </button>
          </div>
          <p className="small" role="status" data-testid="share.summary">
            {copied ? 'Copied. ' : ''}
            It carries {shownLink.examples} labelled examples
            {shownLink.withDelta ? ' and the latest adapter' : ''}.
            {shownLink.hasDelta && !shownLink.withDelta ? ' The latest adapter would make the link too long, so it is left out: download the task file to share it too.' : ''}
          </p>
        </div>
      ) : null}
      {shownTooLarge ? (
        <div className="callout" role="status" data-testid="share.too-large">
          <p>
            This task is too large for a link: it would be {shownTooLarge.chars.toLocaleString('en')} characters, and links stay under {shownTooLarge.limit.toLocaleString('en')} so that
            browsers, mail and chat keep them whole. Share the task file instead; whoever gets it opens it on the Tasks page.
          </p>
          <button type="button" className="button button--primary" data-testid="share.too-large.file" onClick={() => void downloadTaskFile()}>
            Download task file
          </button>
        </div>
      ) : null}
      {makeError ? <ErrorMessage testId="share.error" title="The task could not be shared" error={makeError} /> : null}
    </Panel>
  );
}

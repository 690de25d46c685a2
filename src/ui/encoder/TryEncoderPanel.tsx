/** Try the encoder: one text per line, embed them, and see how similar each pair is. */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getEncoderClient } from '../../client';
import { setTryText, useStudio } from '../../state/store';
import { parseTryText } from '../../state/trySlice';
import { ErrorMessage } from '../common/ErrorMessage';
import { Panel } from '../common/Panel';
import { formatMs } from '../format';
import { SimilarityMatrix } from './SimilarityMatrix';

export function TryEncoderPanel() {
  const textId = useId();
  const hintId = useId();
  const { text, running, error, result } = useStudio(
    useShallow((s) => ({ text: s.tryout.text, running: s.tryout.running, error: s.tryout.error, result: s.tryout.result })),
  );
  const hasModel = useStudio((s) => s.encoder.model !== null);
  const count = parseTryText(text).length;
  const canRun = hasModel && !running && count > 0;
  const run = () => {
    if (canRun) void getEncoderClient().runTry();
  };

  return (
    <Panel title="Try the encoder" testId="try.panel" description="Sentences that mean the same thing should score close to 1.">
      <div className="field">
        <label htmlFor={textId}>Texts, one per line</label>
        <textarea
          id={textId}
          rows={6}
          value={text}
          onChange={(e) => setTryText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              run();
            }
          }}
          aria-describedby={hintId}
          spellCheck={false}
          data-testid="try.input"
        />
        <p id={hintId} className="small muted">
          {count} {count === 1 ? 'text' : 'texts'} · Ctrl+Enter to embed
        </p>
      </div>
      <div className="row">
        <button type="button" className="button button--primary" disabled={!canRun} onClick={run} data-testid="try.embed" aria-busy={running}>
          {running ? 'Embedding…' : 'Embed'}
        </button>
        {!hasModel ? <span className="small muted">Waiting for an encoder…</span> : null}
        {result && !running ? (
          <span className="small muted" data-testid="try.meta">
            {result.texts.length} × {result.dim} on {result.backend} in {formatMs(result.elapsedMs)} ({result.modelId})
          </span>
        ) : null}
      </div>
      {error ? <ErrorMessage testId="try.error" title="Could not embed" error={error} /> : null}
      {result ? <SimilarityMatrix texts={result.texts} similarity={result.similarity} /> : null}
    </Panel>
  );
}

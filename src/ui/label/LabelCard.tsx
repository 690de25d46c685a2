/**
 * One text at a time, large: number keys 1..9 pick a label, Backspace or Ctrl+Z undoes, S or → skips.
 * Which text comes next is the client's `nextText()` (in order today; active learning later).
 */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { clearSkipped, labelCurrent, nextText, skipCurrent, undoLabelling } from '../../client/studioData';
import { labelledCount } from '../../state/labellingSlice';
import { useStudio } from '../../state/store';
import type { Task } from '../../storage/db';
import { ModelGuess } from './ModelGuess';

/** Keys typed into a form field are the field's, not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function LabelCard({ task }: { task: Task }) {
  // Re-render when texts or skips change; the text itself is chosen by the client.
  const { total, labelled, skipped, canUndo } = useStudio(
    useShallow((s) => ({ total: s.tasks.texts.length, labelled: labelledCount(s.tasks.texts), skipped: s.labelling.skipped.length, canUndo: s.labelling.history.length > 0, texts: s.tasks.texts })),
  );
  const current = nextText();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || event.altKey || event.metaKey) return;
      if ((event.key === 'z' || event.key === 'Z') && event.ctrlKey) {
        event.preventDefault();
        void undoLabelling();
        return;
      }
      if (event.ctrlKey) return;
      if (/^[1-9]$/.test(event.key)) {
        event.preventDefault();
        void labelCurrent(Number(event.key) - 1);
      } else if (event.key === 'Backspace') {
        event.preventDefault();
        void undoLabelling();
      } else if (event.key === 's' || event.key === 'S' || event.key === 'ArrowRight') {
        event.preventDefault();
        void skipCurrent();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section className="panel label-card" aria-labelledby="label-card-title" data-testid="label.card">
      <header className="label-card__head">
        <h2 id="label-card-title">{task.name}</h2>
        <p className="label-card__progress" data-testid="label.progress" aria-live="polite">
          {labelled} of {total} labelled{skipped > 0 ? ` · ${skipped} skipped` : ''}
        </p>
      </header>
      <div className="label-card__meter" aria-hidden="true">
        <div className="label-card__meter-fill" style={{ width: `${total ? (100 * labelled) / total : 0}%` }} />
      </div>
      {current ? (
        <>
          <blockquote className="label-card__text" data-testid="label.text" data-text-id={current.id}>
            {current.text}
          </blockquote>
          <ModelGuess textId={current.id} labels={task.labels.map((l) => l.name)} />
          <div className="label-card__choices" role="group" aria-label="Pick a label">
            {task.labels.map((label, i) => (
              <button
                key={label.name}
                type="button"
                className="button label-card__choice"
                data-testid="label.choice"
                title={label.description || undefined}
                onClick={() => void labelCurrent(i)}
              >
                <kbd>{i + 1}</kbd> {label.name}
                {label.description ? <span className="muted small label-card__desc">{label.description}</span> : null}
              </button>
            ))}
          </div>
        </>
      ) : (
        <div className="label-card__done" data-testid="label.done">
          <p>{total === 0 ? 'This task has no texts yet. Add some on the Tasks page.' : skipped > 0 ? 'Every text is labelled or skipped.' : 'Every text is labelled.'}</p>
          {skipped > 0 ? (
            <button type="button" className="button" data-testid="label.skipped.revisit" onClick={clearSkipped}>
              Revisit the {skipped} skipped
            </button>
          ) : null}
        </div>
      )}
      <div className="row label-card__tools">
        <button type="button" className="button" data-testid="label.undo" disabled={!canUndo} onClick={() => void undoLabelling()}>
          Undo <kbd>⌫</kbd>
        </button>
        <button type="button" className="button" data-testid="label.skip" disabled={!current} onClick={() => void skipCurrent()}>
          Skip <kbd>S</kbd>
        </button>
        <p className="muted small">Keys: 1–{Math.min(9, task.labels.length)} pick a label · Backspace or Ctrl+Z undo · S or → skip</p>
      </div>
    </section>
  );
}

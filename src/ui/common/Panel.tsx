/** A titled card: the building block of every studio page. */
import type { ReactNode } from 'react';

interface Props {
  title: string;
  testId: string;
  description?: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}

export function Panel({ title, testId, description, actions, children, className }: Props) {
  const headingId = `${testId.replace(/\./g, '-')}-title`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={headingId} data-testid={testId}>
      <header className="panel__header">
        <div>
          <h2 id={headingId}>{title}</h2>
          {description ? <p className="muted small">{description}</p> : null}
        </div>
        {actions ? <div className="panel__actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

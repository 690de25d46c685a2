/** A failure, named plainly: the error's code and message, and what a person can do next. */
import type { ReactNode } from 'react';
import type { WireError } from '../../protocol/messages';

interface Props {
  testId: string;
  title: string;
  error: WireError;
  children?: ReactNode;
}

export function ErrorMessage({ testId, title, error, children }: Props) {
  return (
    <div className="error-message" role="alert" data-testid={testId}>
      <div className="error-message__head">
        <strong>{title}</strong>
        <code className="error-message__code" data-testid={`${testId}.code`}>
          {error.code ?? error.name}
        </code>
      </div>
      <p className="error-message__text" data-testid={`${testId}.message`}>
        {error.message}
      </p>
      {error.file ? <p className="muted small">File: {error.file}</p> : null}
      {children ? <div className="error-message__actions">{children}</div> : null}
    </div>
  );
}

/** A failed save (a full disk, a blocked database), said plainly; what was saved before is intact. */
import { useStudio } from '../../state/store';

export function StorageErrorBanner() {
  const error = useStudio((s) => s.tasks.error);
  if (!error) return null;
  return (
    <div className="error-message" role="alert" data-testid="storage.error">
      <div className="error-message__head">
        <strong>Not saved</strong>
        <code className="error-message__code">{error.name}</code>
      </div>
      <p className="error-message__text">{error.message}</p>
    </div>
  );
}

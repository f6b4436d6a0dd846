import type { ErrorInfo } from '../../shared/workstation.js';
import { appFix } from '../../shared/app-fix-wording.js';

/** An error as the user can act on it: what happened, then the fix. */
export function ErrorBox({ error, title = 'Something went wrong' }: { error: ErrorInfo; title?: string }) {
  return (
    <div className="error-box" role="alert">
      <p className="error-title">{title}</p>
      <p>{error.message}</p>
      <p className="fix"><span className="fix-label">Fix: </span>{appFix(error.fix)}</p>
    </div>
  );
}

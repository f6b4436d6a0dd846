import type { SetupView } from '../../shared/views.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';

/**
 * The setup script of a fresh instance: its last log lines while it runs; a failure with those
 * lines, the fix and the whole log a click away; after a success, once, the Save image suggestion.
 */
export function SetupLog({ setup, onSaveImage }: { setup: SetupView; onSaveImage?: (() => void) | undefined }) {
  const request = useRequest();
  const api = window.cloudrig;
  const following = setup.state === 'waiting' || setup.state === 'running';
  return (
    <section className={`setup-log setup-${setup.state}`} aria-label="Setup script" data-testid="setup-log">
      {/* The suggestion says it finished itself; the title would repeat it. */}
      {setup.suggestion ? null : <p className="setup-title" role="status" aria-live="polite" data-testid="setup-title">{setup.title}</p>}
      {setup.error ? <ErrorBox error={setup.error} title="Setup script" /> : null}
      {setup.lines.length > 0 ? (
        <pre className="setup-lines" data-testid="setup-lines" aria-label={following ? 'The setup log as it is written' : 'The setup log\'s last lines'}>
          {setup.lines.join('\n')}
        </pre>
      ) : null}
      {following || setup.state === 'failed' ? (
        <div className="actions">
          <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.openSetupLog())}>Open log in terminal</button>
          <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.copySetupLogCommand())}>Copy log command</button>
          <code className="setup-path" title="The whole log, on the workstation">{setup.logPath}</code>
        </div>
      ) : null}
      {setup.suggestion ? (
        <div className="setup-suggestion" data-testid="suggest-save-image">
          <p>{setup.suggestion}</p>
          <div className="actions">
            {onSaveImage ? <button type="button" className="primary" disabled={request.busy} onClick={onSaveImage}>Save image and terminate…</button> : null}
            <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.dismissSetupSuggestion())}>Not now</button>
          </div>
        </div>
      ) : null}
      {request.error ? <ErrorBox error={request.error} title="That did not work" /> : null}
    </section>
  );
}

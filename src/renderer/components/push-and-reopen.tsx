import { useState } from 'react';
import type { ConnectView, ProjectPushView, TunnelView } from '../../shared/views.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';

// Files and tunnels in the connect section: the push folder (Change…, Push now, Push on start,
// its progress and outcome), "Re-open on start" on each tunnel, a custom forward, and the marked
// tunnels that could not re-open (with Forget).

/** The push folder: where it goes, the last outcome or the progress, and its actions. */
export function PushFolder({ project, ready }: { project: ProjectPushView; ready: boolean }) {
  const request = useRequest();
  const api = window.cloudrig;
  return (
    <section className="push-folder" aria-label="Push folder" data-testid="push-folder">
      <p className="push-where">
        <span className="push-label">Push folder</span>{' '}
        {project.local === null ? <span className="detail">none chosen</span>
          : <><code data-testid="push-local">{project.local}</code> → <code data-testid="push-remote">{project.remote}</code></>}
      </p>
      <div className="actions">
        <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.chooseProjectFolder())}>Change…</button>
        {ready && project.local !== null ? (
          <button type="button" disabled={request.busy || !project.canPush} onClick={() => void request.run(() => api.pushProjectNow())}>Push now</button>
        ) : null}
        {project.local !== null ? (
          <label className="toggle">
            <input type="checkbox" checked={project.pushOnStart} disabled={request.busy}
              onChange={(event) => void request.run(() => api.updateProjectFolder({ pushOnStart: event.target.checked }))} />
            Push on start
          </label>
        ) : null}
      </div>
      {project.progress ? (
        <p className="detail" data-testid="push-progress">
          Pushing: {project.progress.text}
          {project.progress.bytesTotal > 0 ? <progress max={project.progress.bytesTotal} value={project.progress.bytesDone} /> : null}
        </p>
      ) : project.result ? <p className="detail" data-testid="push-result">{project.result}</p> : null}
      {project.error ? <ErrorBox error={project.error} title="Could not push the folder" /> : null}
      {/* Push now's failure is also the folder's last outcome: shown once. */}
      {request.error && request.error.message !== project.error?.message ? <ErrorBox error={request.error} title="Could not push the folder" /> : null}
    </section>
  );
}

/** A tunnel row's "Re-open on start" switch. */
export function ReopenToggle({ tunnel }: { tunnel: TunnelView }) {
  const request = useRequest();
  const api = window.cloudrig;
  return (
    <label className="toggle" title="Open this tunnel again, on the same local port, each time the workstation is ready">
      <input type="checkbox" checked={tunnel.reopen ?? false} disabled={request.busy} aria-label={`Re-open ${tunnel.label} on start`}
        onChange={(event) => void request.run(() => api.setTunnelReopen({ localPort: tunnel.localPort, reopen: event.target.checked }))} />
      Re-open on start
    </label>
  );
}

function portOf(text: string): number | null {
  const value = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return value >= 1 && value <= 65_535 ? value : null;
}

/** Forward any port: remote port on the workstation, to a local port here (the same by default). */
export function CustomTunnel() {
  const request = useRequest();
  const api = window.cloudrig;
  const [remote, setRemote] = useState('');
  const [local, setLocal] = useState('');
  const remotePort = portOf(remote);
  const localPort = local.trim() === '' ? remotePort : portOf(local);
  return (
    <form className="custom-tunnel" aria-label="Forward a port" onSubmit={(event) => {
      event.preventDefault();
      if (remotePort !== null && localPort !== null) void request.run(() => api.openCustomTunnel({ localPort, remotePort }));
    }}>
      <input inputMode="numeric" placeholder="Box port" aria-label="Port on the workstation" value={remote} onChange={(event) => setRemote(event.target.value)} />
      <input inputMode="numeric" placeholder="Local (same)" aria-label="Local port" value={local} onChange={(event) => setLocal(event.target.value)} />
      <button type="submit" disabled={request.busy || remotePort === null || localPort === null}>Forward</button>
      {request.error ? <ErrorBox error={request.error} title="Could not forward the port" /> : null}
    </form>
  );
}

/** Marked tunnels that did not open this time: why, and Forget. */
export function ReopenProblems({ problems }: { problems: NonNullable<ConnectView['reopenProblems']> }) {
  const request = useRequest();
  const api = window.cloudrig;
  if (problems.length === 0) return null;
  return (
    <ul className="reopen-problems" aria-label="Tunnels not re-opened" data-testid="reopen-problems">
      {problems.map((problem) => (
        <li key={problem.localPort}>
          <ErrorBox error={problem.error} title={`${problem.label} tunnel not re-opened`} />
          <button type="button" className="link" disabled={request.busy}
            onClick={() => void request.run(() => api.setTunnelReopen({ localPort: problem.localPort, reopen: false }))}>Forget</button>
        </li>
      ))}
    </ul>
  );
}

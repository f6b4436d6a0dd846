import type { ConnectView, GpuPanelView } from '../../shared/views.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';
import { SetupLog } from './setup-log.js';
import { CustomTunnel, PushFolder, ReopenProblems, ReopenToggle } from './push-and-reopen.js';
import { gpuMemoryText } from '../../shared/byte-size.js';

const CHART_W = 120;
const CHART_H = 28;

/** GPU 0's utilisation over the last readings, as a small inline SVG line (0–100 %). */
function UtilisationChart({ history }: { history: readonly number[] }) {
  if (history.length < 2) return null;
  const step = CHART_W / (history.length - 1);
  const points = history.map((value, i) => `${(i * step).toFixed(1)},${(CHART_H - (Math.min(100, Math.max(0, value)) / 100) * CHART_H).toFixed(1)}`).join(' ');
  return (
    <svg className="gpu-chart" width={CHART_W} height={CHART_H} viewBox={`0 0 ${CHART_W} ${CHART_H}`} role="img" aria-label={`GPU utilisation, last ${history.length} readings`} data-testid="gpu-chart">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

const orDash = (value: number | null, unit: string): string => (value === null ? '—' : `${value}${unit}`);

/** The GPU panel: each GPU's reading, the chart, or the plain reason there are none. */
function GpuPanel({ panel }: { panel: GpuPanelView }) {
  return (
    <section className="gpu" aria-label="GPU" data-testid="gpu-panel">
      {panel.gpus && panel.gpus.length > 0 ? (
        <table className="gpu-table">
          <thead><tr><th>GPU</th><th>Util</th><th>Memory</th><th>Temp</th><th>Power</th></tr></thead>
          <tbody>
            {panel.gpus.map((gpu) => (
              <tr key={gpu.index}>
                <td>{gpu.index}</td>
                <td>{orDash(gpu.utilizationPercent, ' %')}</td>
                <td>{gpu.memoryUsedMiB === null || gpu.memoryTotalMiB === null ? '—' : gpuMemoryText(gpu.memoryUsedMiB, gpu.memoryTotalMiB)}</td>
                <td>{orDash(gpu.temperatureC, ' °C')}</td>
                <td>{gpu.powerW === null ? '—' : `${Math.round(gpu.powerW)} W`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <UtilisationChart history={panel.history} />
      {panel.note ? <p className="detail" data-testid="gpu-note">{panel.note}</p> : null}
      {panel.error ? <p className="warning" data-testid="gpu-error">Could not read the GPU: {panel.error} Trying again in 30 s.</p> : null}
    </section>
  );
}

/**
 * The connect actions the popover puts at the top, beside Start/Stop: Open in VS Code and Open
 * Jupyter (only once ssh answers).
 */
export function ConnectActions({ connect }: { connect: ConnectView }) {
  const request = useRequest();
  const api = window.cloudrig;
  return (
    <>
      <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.openInVsCode())}
        title={connect.sshConfigInstalled ? undefined : 'Needs CloudRig\'s ssh config included: run `rig ssh-config --install`'}>Open in VS Code</button>
      <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.openJupyter())}>Open Jupyter</button>
      {request.error ? <div className="actions-error"><ErrorBox error={request.error} title="Could not connect" /></div> : null}
    </>
  );
}

/**
 * Reaching the workstation: host key, `ssh <name>` (unless the popover shows it already), the
 * TensorBoard tunnel, tunnels, the push folder, the setup log, the GPU panel. Open in VS Code and
 * Open Jupyter are `ConnectActions`, at the top of the popover.
 */
export function ConnectSection({ connect, ready, onSaveImage, showsAlias = true }: {
  connect: ConnectView;
  ready: boolean;
  onSaveImage?: () => void;
  /** false where the ssh box above already reads `ssh <name>`. */
  showsAlias?: boolean;
}) {
  const request = useRequest();
  const api = window.cloudrig;
  return (
    <section className="connect" aria-label="Connect">
      {connect.setup ? <SetupLog setup={connect.setup} onSaveImage={onSaveImage} /> : null}
      <p className="connect-facts" data-testid="host-key">
        {connect.hostKey === 'verified' ? 'Host key verified (seeded at launch)'
          : connect.hostKey === 'unverified' ? 'Host key unverified: trusted on first use' : null}
        {showsAlias && connect.sshAlias ? <> · <code data-testid="ssh-alias">{connect.sshAlias}</code></> : null}
      </p>
      {ready ? (
        <div className="actions">
          <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.openTensorBoard())}>TensorBoard tunnel</button>
        </div>
      ) : null}
      {connect.tunnels.length > 0 ? (
        <ul className="tunnels" aria-label="Tunnels" data-testid="tunnels">
          {connect.tunnels.map((tunnel) => (
            <li key={tunnel.localPort}>
              <span>{tunnel.label}: 127.0.0.1:{tunnel.localPort} → {tunnel.remotePort}</span>
              <button type="button" className="link" onClick={() => void request.run(() => api.browseTunnel({ localPort: tunnel.localPort }))}>Open</button>
              <button type="button" className="link" onClick={() => void request.run(() => api.closeTunnel({ localPort: tunnel.localPort }))}>Close</button>
              <ReopenToggle tunnel={tunnel} />
            </li>
          ))}
        </ul>
      ) : null}
      {ready ? <CustomTunnel /> : null}
      {connect.reopenProblems ? <ReopenProblems problems={connect.reopenProblems} /> : null}
      {connect.project ? <PushFolder project={connect.project} ready={ready} /> : null}
      {!connect.setup && connect.suggestSaveImage ? (
        <p className="detail" data-testid="suggest-save-image">The setup script succeeded. Save an image (Terminate… → Save image) so the next launch starts ready.</p>
      ) : null}
      {connect.gpu ? <GpuPanel panel={connect.gpu} /> : null}
      {request.error ? <ErrorBox error={request.error} title="Could not connect" /> : null}
    </section>
  );
}

// The app's side of reaching a running workstation: one kept-alive session while it is ready,
// the forwards the popover opened (Jupyter, TensorBoard), the GPU panel's readings every
// STATS_INTERVAL_MS, whether the setup script succeeded. Everything closes when the workstation
// leaves `ready` (Stop) or the session is disposed. The use cases are the ones `rig` calls.
import type { ConnectView, GpuPanelView, TunnelView } from '../../shared/views.js';
import type { Snapshot } from '../../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { forwardJupyter, remoteFolderOfRunning, requireSshConfigIncluded, vscodeLink, openWorkstationSession } from './connect.js';
import type { RemoteSession } from './remote-access.js';
import { parseSetupStatus, setupStatusCommand } from './setup-script.js';
import { STATS_INTERVAL_MS, watchStats, type StatsReading } from './stats.js';
import { localUrl, TUNNEL_PRESETS, type OpenTunnel } from './tunnels.js';

/** How many readings the GPU panel's chart keeps (10 minutes at 30 s). */
export const GPU_HISTORY = 20;

/** Opens a URL outside the app (the shell's allowlisted openExternal). */
export type OpenUrl = (url: string) => Promise<void>;

export interface AppConnectDeps {
  readonly core: () => CloudRigCore;
  readonly openExternal: OpenUrl;
  readonly changed: () => void;
  readonly log: (line: string) => void;
  readonly statsIntervalMs?: number;
}

/** The tooltip's GPU line for a reading: GPU 0's utilisation, memory and temperature. */
export function gpuLine(panel: GpuPanelView | null): string | null {
  if (!panel) return null;
  const gpu = panel.gpus?.[0];
  if (!gpu) return panel.note ? 'GPU: no readings' : null;
  const parts = [`GPU ${gpu.utilizationPercent ?? '?'}%`];
  if (gpu.memoryUsedMiB !== null && gpu.memoryTotalMiB !== null) parts.push(`${(gpu.memoryUsedMiB / 1024).toFixed(1)}/${(gpu.memoryTotalMiB / 1024).toFixed(0)} GiB`);
  if (gpu.temperatureC !== null) parts.push(`${gpu.temperatureC} °C`);
  return parts.join(' · ');
}

export class AppConnect {
  private session: { name: string; remote: RemoteSession } | null = null;
  private opening: Promise<RemoteSession> | null = null;
  private readonly tunnels: { view: TunnelView; tunnel: OpenTunnel }[] = [];
  private stats: AbortController | null = null;
  private statsDone: Promise<void> = Promise.resolve();
  private panel: GpuPanelView | null = null;
  private setupSucceeded = false;
  private ready: string | null = null;

  constructor(private readonly deps: AppConnectDeps) {}

  /** Follows the workstation's phase: stats while ready; everything closed when it leaves ready. */
  noteSnapshot(snapshot: Snapshot | null): void {
    const ready = snapshot?.phase === 'ready' ? snapshot.name : null;
    if (ready === this.ready) return;
    this.ready = ready;
    void this.closeAll().then(() => {
      if (ready !== null && this.ready === ready) this.startStats(ready);
    });
  }

  /** The kept-alive session to `name`, opened once. */
  private async remote(name: string): Promise<RemoteSession> {
    if (this.session?.name === name) return this.session.remote;
    if (!this.opening) {
      this.opening = (async () => {
        const remote = await openWorkstationSession(this.deps.core(), name);
        remote.onMonitorNote(this.deps.log);
        await remote.connect();
        this.session = { name, remote };
        return remote;
      })().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  private requireReady(name: string): void {
    if (this.ready !== name) throw new CloudRigError('NotRunning', `Workstation ${name} is not ready, so there is nothing to connect to.`, 'Start it first.');
  }

  /** Finds the Jupyter server, forwards it and opens it in the browser; returns the URL. */
  async openJupyter(name: string): Promise<TunnelView> {
    this.requireReady(name);
    const existing = this.tunnels.find((t) => t.view.label === 'jupyter');
    if (existing) {
      await this.deps.openExternal(existing.view.url);
      return existing.view;
    }
    const remote = await this.remote(name);
    const { tunnel, url } = await forwardJupyter(remote, remote.forwarder((error) => this.deps.log(`jupyter tunnel: ${toErrorInfo(error).message}`)), name);
    const view = this.keep(tunnel, url);
    await this.deps.openExternal(url);
    return view;
  }

  /** Forwards a preset's port (TensorBoard) to the same local port, or any free one when taken. */
  async openTunnel(name: string, preset: 'tensorboard'): Promise<TunnelView> {
    this.requireReady(name);
    const existing = this.tunnels.find((t) => t.view.label === preset);
    if (existing) return existing.view;
    const remote = await this.remote(name);
    const port = TUNNEL_PRESETS[preset]!;
    const forwarder = remote.forwarder((error) => this.deps.log(`${preset} tunnel: ${toErrorInfo(error).message}`));
    const spec = { localPort: port, remoteHost: 'localhost', remotePort: port, label: preset };
    let tunnel: OpenTunnel;
    try {
      tunnel = await forwarder.open(spec);
    } catch (error) {
      if (!(error instanceof CloudRigError) || error.code !== 'PortInUse') throw error;
      tunnel = await forwarder.open({ ...spec, localPort: 0 });
    }
    return this.keep(tunnel, localUrl(tunnel.localPort));
  }

  /** Opens a tunnel's URL in the browser again. */
  async openTunnelUrl(localPort: number): Promise<void> {
    const kept = this.tunnels.find((t) => t.view.localPort === localPort);
    if (!kept) throw new CloudRigError('InvalidInput', `No tunnel on local port ${localPort}.`, 'Open it again from the popover.');
    await this.deps.openExternal(kept.view.url);
  }

  private keep(tunnel: OpenTunnel, url: string): TunnelView {
    const view: TunnelView = { label: tunnel.spec.label ?? `port ${tunnel.spec.remotePort}`, localPort: tunnel.localPort, remotePort: tunnel.spec.remotePort, url };
    this.tunnels.push({ view, tunnel });
    this.deps.changed();
    return view;
  }

  /** Closes one tunnel. */
  async closeTunnel(localPort: number): Promise<void> {
    const index = this.tunnels.findIndex((t) => t.view.localPort === localPort);
    if (index < 0) return;
    const [kept] = this.tunnels.splice(index, 1);
    await kept!.tunnel.close();
    this.deps.changed();
  }

  /** The vscode:// link for the workstation's home folder, once the ssh config is up to date; opened outside the app. */
  async openInVsCode(name: string): Promise<string> {
    const c = this.deps.core();
    const spec = await requireSshConfigIncluded(c, name);
    const link = vscodeLink(await remoteFolderOfRunning(c, spec));
    await this.deps.openExternal(link);
    return link;
  }

  private startStats(name: string): void {
    const controller = new AbortController();
    this.stats = controller;
    const c = this.deps.core();
    this.statsDone = (async () => {
      let remote: RemoteSession;
      try {
        remote = await this.remote(name);
        await this.checkSetup(remote, name);
      } catch (error) {
        this.setPanel({ gpus: null, note: null, history: [], error: toErrorInfo(error).message }, controller);
        return;
      }
      await watchStats({
        shell: remote,
        clock: c.clock,
        signal: controller.signal,
        intervalMs: this.deps.statsIntervalMs ?? STATS_INTERVAL_MS,
        onReading: (reading) => this.setPanel(this.withReading(reading), controller),
        onError: (error) => this.setPanel({ ...(this.panel ?? { gpus: null, note: null, history: [] }), error: toErrorInfo(error).message }, controller),
      });
    })();
  }

  /** Whether the setup script ran and succeeded on this disk (then an image is worth saving). */
  private async checkSetup(remote: RemoteSession, name: string): Promise<void> {
    if (!this.deps.core().service.spec(name).setupScript) return;
    const { stdout } = await remote.exec(setupStatusCommand(1_000_000), 20_000);
    const status = parseSetupStatus(stdout);
    this.setupSucceeded = status?.state.kind === 'done' && status.state.exitCode === 0;
  }

  private withReading(reading: StatsReading): GpuPanelView {
    const utilisation = reading.gpus?.[0]?.utilizationPercent;
    const history = [...(this.panel?.history ?? []), ...(utilisation == null ? [] : [utilisation])].slice(-GPU_HISTORY);
    return { gpus: reading.gpus, note: reading.gpuNote, history, error: null };
  }

  private setPanel(panel: GpuPanelView, controller: AbortController): void {
    if (this.stats !== controller || controller.signal.aborted) return;
    this.panel = panel;
    this.deps.changed();
  }

  /** Closes every tunnel, stops the stats and ends the session. */
  async closeAll(): Promise<void> {
    this.stats?.abort();
    this.stats = null;
    await this.statsDone;
    await this.opening?.catch(() => undefined);
    const open = this.tunnels.splice(0);
    const session = this.session;
    this.session = null;
    const hadSomething = open.length > 0 || this.panel !== null || this.setupSucceeded;
    this.panel = null;
    this.setupSucceeded = false;
    await Promise.allSettled(open.map((t) => t.tunnel.close()));
    await session?.remote.close().catch(() => undefined);
    if (hadSomething) this.deps.changed();
  }

  /** The connect section of the view. */
  view(snapshot: Snapshot | null, sshConfigInstalled: boolean): ConnectView {
    return {
      tunnels: this.tunnels.map((t) => t.view),
      gpu: this.panel,
      gpuLine: gpuLine(this.panel),
      hostKey: snapshot?.hostKey ?? null,
      sshAlias: snapshot && sshConfigInstalled ? `ssh ${snapshot.name}` : null,
      sshConfigInstalled,
      suggestSaveImage: this.setupSucceeded,
    };
  }
}

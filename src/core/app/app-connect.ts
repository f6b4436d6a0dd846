// The app's side of reaching a running workstation: one kept-alive session while it is ready,
// the forwards the popover opened (Jupyter, TensorBoard), the GPU panel's readings every
// STATS_INTERVAL_MS, the setup script's log (AppSetup). Everything closes when the workstation
// leaves `ready` (Stop) or the session is disposed. The use cases are the ones `rig` calls.
import type { ConnectView, GpuPanelView, TunnelView } from '../../shared/views.js';
import type { Snapshot } from '../../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { forwardJupyter, remoteFolderOfRunning, requireSshConfigIncluded, vscodeLink, openWorkstationSession } from './connect.js';
import type { RemoteSession } from './remote-access.js';
import { AppSetup } from './app-setup.js';
import type { NotificationModel } from '../notification-policy.js';
import { STATS_INTERVAL_MS, watchStats, type StatsReading } from './stats.js';
import { localUrl, TUNNEL_PRESETS, type OpenTunnel, type TunnelSpec } from './tunnels.js';
import { runKey } from '../run-key.js';
import { ProjectPush } from './project-push.js';
import { TunnelReopen } from './tunnel-reopen.js';
import { keepWorkstationSession, type KeptSession, type ReconnectEvent } from './session-reconnect.js';

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
  /** Every stats reading of a ready workstation (they feed the idle reminder). */
  readonly onReading?: (name: string, reading: StatsReading) => void;
  /** Raises a notification (the setup script's end). */
  readonly notify?: (notification: NotificationModel) => void;
  /** CLOUDRIG_SETUP_DIR (tests): where the setup runner keeps its log on the box. */
  readonly setupDir?: string;
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
  /** The session, kept connected across sleep and network changes until `stop` aborts. */
  private session: { name: string; remote: RemoteSession; kept: KeptSession; stop: AbortController } | null = null;
  /** Takes the GPU panel's next reading at once (its connection just came back). */
  private statsNow: () => void = () => undefined;
  private opening: Promise<RemoteSession> | null = null;
  private readonly tunnels: { view: TunnelView; tunnel: OpenTunnel }[] = [];
  private stats: AbortController | null = null;
  private statsDone: Promise<void> = Promise.resolve();
  private panel: GpuPanelView | null = null;
  private ready: string | null = null;
  private readySnapshot: Snapshot | null = null;
  /** The setup script's log while a fresh instance runs it. */
  readonly setup: AppSetup;
  /** The push folder, and the tunnels re-opened on start. */
  readonly project: ProjectPush;
  readonly reopen: TunnelReopen;

  constructor(private readonly deps: AppConnectDeps) {
    this.setup = new AppSetup({
      core: deps.core, changed: deps.changed, log: deps.log, notify: deps.notify ?? (() => undefined), ...(deps.setupDir ? { dir: deps.setupDir } : {}),
    });
    const parts = { core: deps.core, changed: deps.changed, log: deps.log };
    this.project = new ProjectPush({ ...parts, session: (name) => (this.requireReady(name), this.remote(name)) });
    this.reopen = new TunnelReopen(parts);
  }

  /** Follows the workstation's phase: stats while ready; everything closed when it leaves ready. */
  noteSnapshot(snapshot: Snapshot | null): void {
    if (snapshot?.phase === 'ready') this.readySnapshot = snapshot;
    const ready = snapshot?.phase === 'ready' ? snapshot.name : null;
    if (snapshot) this.project.noteSnapshot(snapshot);
    if (ready === this.ready) return;
    this.ready = ready;
    void this.closeAll().then(() => {
      if (ready === null || this.ready !== ready) return;
      this.startStats(ready);
      this.whenReady(ready, snapshot ? runKey(snapshot) : null);
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
        const stop = new AbortController();
        const kept = keepWorkstationSession(this.deps.core(), remote, { signal: stop.signal, onEvent: (event) => this.reconnectEvent(event) });
        this.session = { name, remote, kept, stop };
        return remote;
      })().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  /** The panel says the connection is lost (one line), then reads at once when it is back; tunnels follow the session. */
  private reconnectEvent(event: ReconnectEvent): void {
    this.deps.log(event.kind === 'ended' ? `session ended: ${event.error.message}` : event.line);
    if (event.kind === 'reconnected') return this.statsNow();
    const controller = this.stats;
    if (controller) this.setPanel({ ...(this.panel ?? { gpus: null, note: null, history: [] }), error: event.kind === 'lost' ? event.line : event.error.message }, controller);
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
    const view: TunnelView = { label: tunnel.spec.label ?? `port ${tunnel.spec.remotePort}`, localPort: tunnel.localPort, remotePort: tunnel.spec.remotePort, url, reopen: false };
    this.tunnels.push({ view, tunnel });
    this.deps.changed();
    return view;
  }

  /** Closes one tunnel (closed by hand, it is no longer re-opened on start). */
  async closeTunnel(localPort: number): Promise<void> {
    if (this.ready !== null) this.reopen.forget(this.ready, localPort);
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
      } catch (error) {
        this.setPanel({ gpus: null, note: null, history: [], error: toErrorInfo(error).message }, controller);
        return;
      }
      const snapshot = this.readySnapshot;
      const setup = snapshot?.name === name
        ? this.setup.follow(remote, snapshot, controller.signal).catch((error: unknown) => this.deps.log(`setup log: ${toErrorInfo(error).message}`))
        : Promise.resolve();
      await watchStats({
        shell: remote,
        clock: c.clock,
        signal: controller.signal,
        intervalMs: this.deps.statsIntervalMs ?? STATS_INTERVAL_MS,
        readNow: (wake) => (this.statsNow = wake),
        onReading: (reading) => {
          this.setPanel(this.withReading(reading), controller);
          if (this.stats === controller && !controller.signal.aborted) this.deps.onReading?.(name, reading);
        },
        // While the session reconnects, the panel keeps its one "reconnecting" line.
        onError: (this.session?.kept.quiet ?? ((report) => report))((error) => this.setPanel({ ...(this.panel ?? { gpus: null, note: null, history: [] }), error: toErrorInfo(error).message }, controller)),
      });
      await setup;
    })();
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
    this.project.interrupt();
    this.reopen.clear();
    await this.statsDone;
    await this.opening?.catch(() => undefined);
    const open = this.tunnels.splice(0);
    const session = this.session;
    this.session = null;
    session?.stop.abort();
    this.statsNow = () => undefined;
    const hadSetup = this.setup.clear();
    const hadSomething = open.length > 0 || this.panel !== null || hadSetup;
    this.panel = null;
    await Promise.allSettled(open.map((t) => t.tunnel.close()));
    await session?.remote.close().catch(() => undefined);
    if (hadSomething) this.deps.changed();
  }

  /** Once ready, the push on start (once per run) and the tunnels marked to re-open. */
  private whenReady(name: string, run: string | null): void {
    this.project.onReady(name, run);
    void this.reopen.onReady(name, (port) => this.tunnels.some((t) => t.view.localPort === port), (spec) => this.openForward(name, spec));
  }

  /** Forwards exactly `spec` (a custom tunnel, or one re-opened on start: the same local port) and keeps it. */
  async openForward(name: string, spec: TunnelSpec): Promise<TunnelView> {
    this.requireReady(name);
    const remote = await this.remote(name);
    const tunnel = await remote.forwarder((error) => this.deps.log(`${spec.label ?? `port ${spec.remotePort}`} tunnel: ${toErrorInfo(error).message}`)).open(spec);
    if (this.ready !== name) {
      // Stopped while it opened: it closes with the rest.
      await tunnel.close();
      this.requireReady(name);
    }
    return this.keep(tunnel, localUrl(tunnel.localPort));
  }

  /** Marks an open tunnel "Re-open on start" (or not). */
  setReopen(name: string, localPort: number, reopen: boolean): void {
    const kept = this.tunnels.find((t) => t.view.localPort === localPort);
    if (!kept) {
      if (!reopen) this.reopen.forget(name, localPort);
      else throw new CloudRigError('InvalidInput', `No tunnel on local port ${localPort}.`, 'Open it again from the popover.');
      return;
    }
    const { label, remoteHost, remotePort } = kept.tunnel.spec;
    this.reopen.mark(name, { label, localPort: kept.tunnel.localPort, remoteHost, remotePort }, reopen);
  }

  /** The connect section of the view. */
  view(snapshot: Snapshot | null, sshConfigInstalled: boolean): ConnectView {
    const marked = new Set(snapshot ? this.reopen.marked(snapshot.name).map((tunnel) => tunnel.localPort) : []);
    return {
      tunnels: this.tunnels.map((t) => ({ ...t.view, reopen: marked.has(t.view.localPort) })),
      gpu: this.panel,
      gpuLine: gpuLine(this.panel),
      hostKey: snapshot?.hostKey ?? null,
      sshAlias: snapshot && sshConfigInstalled ? `ssh ${snapshot.name}` : null,
      sshConfigInstalled,
      suggestSaveImage: this.setup.suggesting(),
      setup: this.setup.view(snapshot),
      ...(snapshot ? { project: this.project.view(snapshot.name, this.ready === snapshot.name), reopenProblems: this.reopen.view(snapshot.name) } : {}),
    };
  }
}

// The app's side of reaching a running workstation: one kept-alive session while it is ready,
// the forwards the popover opened (AppTunnels), the GPU panel's readings every
// STATS_INTERVAL_MS, the setup script's log (AppSetup). Everything closes when the workstation
// leaves `ready` (Stop) or the session is disposed. The use cases are the ones `rig` calls.
import type { ConnectView, GpuPanelView } from '../../shared/views.js';
import type { Snapshot } from '../../shared/workstation.js';
import { toErrorInfo } from '../errors.js';
import type { AppLoops } from './app-loops.js';
import type { RemoteSession } from './remote-access.js';
import { AppSetup } from './app-setup.js';
import type { NotificationModel } from '../notification-policy.js';
import { STATS_INTERVAL_MS, watchStats, type StatsReading } from './face.js';
import { runKey } from '../run-key.js';
import type { ProjectPush } from './project-push.js';
import type { Rig } from './rig.js';
import type { TunnelReopen } from './tunnel-reopen.js';
import { AppTunnels, requireReady, type OpenUrl } from './app-tunnels.js';
import type { KeptSession, ReconnectEvent } from './session-reconnect.js';
import { gpuMemoryText } from '../../shared/byte-size.js';

/** How many readings the GPU panel's chart keeps (10 minutes at 30 s). */
export const GPU_HISTORY = 20;

export interface AppConnectDeps {
  /** The use cases, as the session's façade is now (built again when the profile or keys change). */
  readonly rig: () => Rig;
  readonly loops: AppLoops;
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
  if (gpu.memoryUsedMiB !== null && gpu.memoryTotalMiB !== null) parts.push(gpuMemoryText(gpu.memoryUsedMiB, gpu.memoryTotalMiB));
  if (gpu.temperatureC !== null) parts.push(`${gpu.temperatureC} °C`);
  return parts.join(' · ');
}

export class AppConnect {
  /** The session, kept connected across sleep and network changes until `stop` aborts. */
  private session: { name: string; remote: RemoteSession; kept: KeptSession; stop: AbortController } | null = null;
  /** Takes the GPU panel's next reading at once (its connection just came back). */
  private statsNow: () => void = () => undefined;
  private opening: Promise<RemoteSession> | null = null;
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
  /** The tunnels the popover opened. */
  readonly tunnels: AppTunnels;

  constructor(private readonly deps: AppConnectDeps) {
    this.setup = new AppSetup({
      rig: deps.rig, changed: deps.changed, log: deps.log, notify: deps.notify ?? (() => undefined), ...(deps.setupDir ? { dir: deps.setupDir } : {}),
    });
    const parts = { changed: deps.changed, log: deps.log };
    this.project = deps.loops.projectPush({ ...parts, session: (name) => (this.requireReady(name), this.remote(name)) });
    this.reopen = deps.loops.tunnelReopen(parts);
    this.tunnels = new AppTunnels({
      openExternal: deps.openExternal, changed: deps.changed, log: deps.log, reopen: this.reopen,
      ready: () => this.ready, session: (name) => (this.requireReady(name), this.remote(name)),
    });
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
        const rig = this.deps.rig();
        const remote = await rig.connect.openSession(name);
        remote.onMonitorNote(this.deps.log);
        await remote.connect();
        const stop = new AbortController();
        const kept = rig.connect.keep(remote, { signal: stop.signal, onEvent: (event) => this.reconnectEvent(event) });
        this.session = { name, remote, kept, stop };
        return remote;
      })().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  /**
   * The laptop woke, its screen unlocked or its network came back: the kept session proves itself
   * now, so a connection that died meanwhile is dropped (and reconnected, the panel saying so) in
   * seconds rather than when the keepalive gives up.
   */
  checkSessionNow(): void {
    const remote = this.session?.remote;
    remote?.checkNow().catch((error: unknown) => this.deps.log(`session check: ${toErrorInfo(error).message}`));
  }

  /** The panel says the connection is lost (one line), then reads at once when it is back; tunnels follow the session. */
  private reconnectEvent(event: ReconnectEvent): void {
    this.deps.log(event.kind === 'ended' ? `session ended: ${event.error.message}` : event.line);
    if (event.kind === 'reconnected') return this.statsNow();
    const controller = this.stats;
    if (controller) this.setPanel({ ...(this.panel ?? { gpus: null, note: null, history: [] }), error: event.kind === 'lost' ? event.line : event.error.message }, controller);
  }

  private requireReady(name: string): void {
    requireReady(this.ready, name);
  }

  /** The vscode:// link for the workstation's home folder, once the ssh config is up to date; opened outside the app. */
  async openInVsCode(name: string): Promise<string> {
    const link = await this.deps.rig().connect.editorLink(name);
    await this.deps.openExternal(link);
    return link;
  }

  private startStats(name: string): void {
    const controller = new AbortController();
    this.stats = controller;
    const { clock } = this.deps.rig();
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
        clock,
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
    const open = this.tunnels.takeAll();
    const session = this.session;
    this.session = null;
    session?.stop.abort();
    this.statsNow = () => undefined;
    const hadSetup = this.setup.clear();
    const hadSomething = open.length > 0 || this.panel !== null || hadSetup;
    this.panel = null;
    await Promise.allSettled(open.map((tunnel) => tunnel.close()));
    await session?.remote.close().catch(() => undefined);
    if (hadSomething) this.deps.changed();
  }

  /** Once ready, the push on start (once per run) and the tunnels marked to re-open. */
  private whenReady(name: string, run: string | null): void {
    this.project.onReady(name, run);
    void this.reopen.onReady(name, (port) => this.tunnels.has(port), (spec) => this.tunnels.openForward(name, spec));
  }

  /** The connect section of the view. */
  view(snapshot: Snapshot | null, sshConfigInstalled: boolean): ConnectView {
    const marked = new Set(snapshot ? this.reopen.marked(snapshot.name).map((tunnel) => tunnel.localPort) : []);
    return {
      tunnels: this.tunnels.views(marked),
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

// The tunnels the popover opened to the ready workstation (Jupyter, TensorBoard, custom ports),
// over AppConnect's kept-alive session: each kept until closed by hand or until the workstation
// leaves `ready`, each markable "Re-open on start" (TunnelReopen keeps the marks).
import type { TunnelView } from '../../shared/views.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import { forwardJupyter } from './face.js';
import type { RemoteSession } from './remote-access.js';
import type { TunnelReopen } from './tunnel-reopen.js';
import { localUrl, TUNNEL_PRESETS, type OpenTunnel, type TunnelSpec } from './tunnels.js';

/** Opens a URL outside the app (the shell's allowlisted openExternal). */
export type OpenUrl = (url: string) => Promise<void>;

/** Refuses to reach a workstation that is not the ready one. */
export function requireReady(ready: string | null, name: string): void {
  if (ready !== name) throw new CloudRigError('NotRunning', `Workstation ${name} is not ready, so there is nothing to connect to.`, { action: 'start', name });
}

export interface AppTunnelsDeps {
  readonly openExternal: OpenUrl;
  readonly changed: () => void;
  readonly log: (line: string) => void;
  readonly reopen: TunnelReopen;
  /** The workstation that is ready now, if any. */
  readonly ready: () => string | null;
  /** The kept-alive session to the ready workstation `name`. */
  readonly session: (name: string) => Promise<RemoteSession>;
}

export class AppTunnels {
  private readonly kept: { view: TunnelView; tunnel: OpenTunnel }[] = [];

  constructor(private readonly deps: AppTunnelsDeps) {}

  /** Finds the Jupyter server, forwards it and opens it in the browser; returns the URL. */
  async openJupyter(name: string): Promise<TunnelView> {
    requireReady(this.deps.ready(), name);
    const existing = this.kept.find((t) => t.view.label === 'jupyter');
    if (existing) {
      await this.deps.openExternal(existing.view.url);
      return existing.view;
    }
    const remote = await this.deps.session(name);
    const { tunnel, url } = await forwardJupyter(remote, remote.forwarder((error) => this.deps.log(`jupyter tunnel: ${toErrorInfo(error).message}`)), name);
    const view = this.keep(tunnel, url);
    await this.deps.openExternal(url);
    return view;
  }

  /** Forwards a preset's port (TensorBoard) to the same local port, or any free one when taken. */
  async openPreset(name: string, preset: 'tensorboard'): Promise<TunnelView> {
    requireReady(this.deps.ready(), name);
    const existing = this.kept.find((t) => t.view.label === preset);
    if (existing) return existing.view;
    const remote = await this.deps.session(name);
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

  /** Forwards exactly `spec` (a custom tunnel, or one re-opened on start: the same local port) and keeps it. */
  async openForward(name: string, spec: TunnelSpec): Promise<TunnelView> {
    requireReady(this.deps.ready(), name);
    const remote = await this.deps.session(name);
    const tunnel = await remote.forwarder((error) => this.deps.log(`${spec.label ?? `port ${spec.remotePort}`} tunnel: ${toErrorInfo(error).message}`)).open(spec);
    if (this.deps.ready() !== name) {
      // Stopped while it opened: it closes with the rest.
      await tunnel.close();
      requireReady(this.deps.ready(), name);
    }
    return this.keep(tunnel, localUrl(tunnel.localPort));
  }

  /** Opens a tunnel's URL in the browser again. */
  async openUrl(localPort: number): Promise<void> {
    const kept = this.kept.find((t) => t.view.localPort === localPort);
    if (!kept) throw new CloudRigError('InvalidInput', `No tunnel on local port ${localPort}.`, { action: 'reopen-tunnel', name: null, localPort });
    await this.deps.openExternal(kept.view.url);
  }

  private keep(tunnel: OpenTunnel, url: string): TunnelView {
    const view: TunnelView = { label: tunnel.spec.label ?? `port ${tunnel.spec.remotePort}`, localPort: tunnel.localPort, remotePort: tunnel.spec.remotePort, url, reopen: false };
    this.kept.push({ view, tunnel });
    this.deps.changed();
    return view;
  }

  /** Closes one tunnel (closed by hand, it is no longer re-opened on start). */
  async close(localPort: number): Promise<void> {
    const ready = this.deps.ready();
    if (ready !== null) this.deps.reopen.forget(ready, localPort);
    const index = this.kept.findIndex((t) => t.view.localPort === localPort);
    if (index < 0) return;
    const [kept] = this.kept.splice(index, 1);
    await kept!.tunnel.close();
    this.deps.changed();
  }

  /** Marks an open tunnel "Re-open on start" (or not). */
  setReopen(name: string, localPort: number, reopen: boolean): void {
    const kept = this.kept.find((t) => t.view.localPort === localPort);
    if (!kept) {
      if (!reopen) this.deps.reopen.forget(name, localPort);
      else throw new CloudRigError('InvalidInput', `No tunnel on local port ${localPort}.`, { action: 'reopen-tunnel', name, localPort });
      return;
    }
    const { label, remoteHost, remotePort } = kept.tunnel.spec;
    this.deps.reopen.mark(name, { label, localPort: kept.tunnel.localPort, remoteHost, remotePort }, reopen);
  }

  /** Whether a tunnel is open on this local port. */
  has(localPort: number): boolean {
    return this.kept.some((t) => t.view.localPort === localPort);
  }

  /** The open tunnels as the popover lists them, those marked "Re-open on start" so marked. */
  views(marked: ReadonlySet<number>): TunnelView[] {
    return this.kept.map((t) => ({ ...t.view, reopen: marked.has(t.view.localPort) }));
  }

  /** Takes every tunnel off the list (the workstation left `ready`), for the caller to close. */
  takeAll(): OpenTunnel[] {
    return this.kept.splice(0).map((t) => t.tunnel);
  }
}

// Tunnels that "re-open after a restart when asked": a tunnel the user opened in
// the app (Jupyter, TensorBoard, a custom port) can be marked "Re-open on start". The mark is kept
// per workstation in the settings file; each time that workstation is next ready (after Stop and
// Start, or when the app starts again) the marked tunnels open again on the same local ports. A
// port now taken is said plainly, naming it, and the others still open. Stop still closes them all.
import type { RememberedTunnel } from '../../shared/settings.js';
import type { ReopenProblemView } from '../../shared/views.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { TunnelSpec } from './tunnels.js';

/** What a remembered tunnel is called in the popover. */
export function tunnelLabel(tunnel: Pick<RememberedTunnel, 'label' | 'remotePort'>): string {
  return tunnel.label ?? `port ${tunnel.remotePort}`;
}

/** The forward a remembered tunnel opens: exactly its local port (no fallback to another one). */
export function specOf(tunnel: RememberedTunnel): TunnelSpec {
  return { localPort: tunnel.localPort, remoteHost: tunnel.remoteHost, remotePort: tunnel.remotePort, label: tunnel.label };
}

/** Why a marked tunnel did not open, worded for the popover (a taken port named, with what to do). */
export function reopenProblem(tunnel: RememberedTunnel, error: unknown): ReopenProblemView {
  const label = tunnelLabel(tunnel);
  const info = error instanceof CloudRigError && error.code === 'PortInUse'
    ? new CloudRigError('PortInUse', `Could not re-open the ${label} tunnel: port ${tunnel.localPort} is in use on this computer.`,
      { action: 'use-another-port', localPort: tunnel.localPort, remotePort: null, reopening: true }).toInfo()
    : { ...toErrorInfo(error), message: `Could not re-open the ${label} tunnel: ${toErrorInfo(error).message}` };
  return { label, localPort: tunnel.localPort, error: info };
}

export interface TunnelReopenDeps {
  readonly core: () => CloudRigCore;
  readonly changed: () => void;
  readonly log: (line: string) => void;
}

/** The marks, and what happened when the workstation was last ready. */
export class TunnelReopen {
  private problems: { name: string; list: ReopenProblemView[] } | null = null;

  constructor(private readonly deps: TunnelReopenDeps) {}

  /** The tunnels marked for `name`. */
  marked(name: string): readonly RememberedTunnel[] {
    return this.deps.core().settings.read().reopenTunnels[name] ?? [];
  }

  /** Whether the tunnel on `localPort` is marked. */
  isMarked(name: string, localPort: number): boolean {
    return this.marked(name).some((tunnel) => tunnel.localPort === localPort);
  }

  /** Marks (or unmarks) a tunnel; a local port holds one mark. */
  mark(name: string, tunnel: RememberedTunnel, reopen: boolean): void {
    this.deps.core().settings.update((settings) => {
      const others = (settings.reopenTunnels[name] ?? []).filter((kept) => kept.localPort !== tunnel.localPort);
      const list = reopen ? [...others, tunnel] : others;
      const { [name]: _dropped, ...rest } = settings.reopenTunnels;
      return { ...settings, reopenTunnels: list.length > 0 ? { ...rest, [name]: list } : rest };
    });
    if (!reopen) this.dropProblem(name, tunnel.localPort);
    this.deps.changed();
  }

  /** Forgets the mark on `localPort` (a tunnel closed by hand, or "Forget" on one that did not open). */
  forget(name: string, localPort: number): void {
    const tunnel = this.marked(name).find((kept) => kept.localPort === localPort);
    if (tunnel) this.mark(name, tunnel, false);
    else this.dropProblem(name, localPort);
  }

  private dropProblem(name: string, localPort: number): void {
    if (this.problems?.name !== name) return;
    const before = this.problems.list.length;
    this.problems.list = this.problems.list.filter((problem) => problem.localPort !== localPort);
    if (this.problems.list.length !== before) this.deps.changed();
  }

  /**
   * The workstation is ready: opens every marked tunnel not open yet, each on its own local port.
   * One that cannot open is recorded (and logged); the others still open.
   */
  async onReady(name: string, isOpen: (localPort: number) => boolean, open: (spec: TunnelSpec) => Promise<unknown>): Promise<void> {
    const list: ReopenProblemView[] = [];
    this.problems = { name, list };
    for (const tunnel of this.marked(name)) {
      if (isOpen(tunnel.localPort)) continue;
      try {
        await open(specOf(tunnel));
      } catch (error) {
        const problem = reopenProblem(tunnel, error);
        this.deps.log(`re-open ${problem.label} on ${tunnel.localPort}: ${problem.error.code}`);
        if (this.problems?.list === list) {
          list.push(problem);
          this.deps.changed();
        }
      }
    }
  }

  /** The workstation left ready: last time's problems no longer apply. */
  clear(): void {
    if (!this.problems) return;
    const had = this.problems.list.length > 0;
    this.problems = null;
    if (had) this.deps.changed();
  }

  /** The problems to show for `name`. */
  view(name: string): readonly ReopenProblemView[] {
    return this.problems?.name === name ? this.problems.list : [];
  }
}

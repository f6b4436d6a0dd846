// What the popover and the tray ask of a running workstation: the ssh command on the clipboard, a
// terminal, Jupyter, TensorBoard and custom tunnels, VS Code, the setup script's log, the push
// folder, and following the laptop's public address. Each says what it did in the notice line; the
// connection itself (session, tunnels, GPU panel, setup log, push) is AppConnect's.
import type { TunnelView } from '../../shared/views.js';
import { CloudRigError } from '../errors.js';
import { canCopySsh } from '../phase-view.js';
import { displayedSshArgv } from '../ssh-config.js';
import type { AppConnect } from './app-connect.js';
import type { FleetViewModel } from './app-fleet-view.js';
import type { SessionPorts } from './app-session-ports.js';
import type { SessionState } from './app-session-state.js';

/** The parts the connect actions read and tell. */
export interface ConnectActionParts {
  readonly state: SessionState;
  readonly ports: Pick<SessionPorts, 'clipboard' | 'terminal' | 'folderPicker'>;
  readonly connect: AppConnect;
  readonly fleet: FleetViewModel;
}

export class ConnectActions {
  constructor(private readonly parts: ConnectActionParts) {}

  async copySshCommand(workstation?: string): Promise<{ copied: string }> {
    const { state, fleet } = this.parts;
    const snapshot = workstation === undefined || workstation === state.watched ? fleet.effective() : fleet.latest(workstation);
    if (!snapshot || !canCopySsh(snapshot) || snapshot.sshCommand === null) {
      throw new CloudRigError('NotRunning', 'There is no ssh command while the workstation is not running.',
        { action: 'start', name: snapshot?.name ?? workstation ?? state.requireName() });
    }
    await this.copyText(snapshot.sshCommand, 'the ssh command');
    state.setNotice('Copied the ssh command');
    return { copied: snapshot.sshCommand };
  }

  async openTerminal(workstation?: string): Promise<{ terminal: string }> {
    const { state, ports } = this.parts;
    const name = workstation ?? state.requireName();
    // The same use case as `rig ssh`: the laptop's moved address is admitted before the shell opens.
    const { target, drift } = await state.rig().connect.openShell(name);
    const app = await ports.terminal.open(displayedSshArgv(name, target, state.settings().sshConfigInstalled), { preferred: state.settings().terminal, title: `CloudRig: ${name}` });
    state.setNotice(drift.changed ? `Opened ${app.label}. ${drift.message}` : `Opened ${app.label}`);
    return { terminal: app.label };
  }

  /** Finds the Jupyter server on the workstation, forwards it and opens it in the browser (`rig jupyter`). */
  async openJupyter(): Promise<TunnelView> {
    const tunnel = await this.parts.connect.tunnels.openJupyter(this.parts.state.requireName());
    this.parts.state.setNotice(`Jupyter on ${tunnel.url.replace(/\?.*$/, '')}`);
    return tunnel;
  }

  /** Forwards TensorBoard's port (`rig tunnel tensorboard`). */
  async openTensorBoard(): Promise<TunnelView> {
    const tunnel = await this.parts.connect.tunnels.openPreset(this.parts.state.requireName(), 'tensorboard');
    this.parts.state.setNotice(`TensorBoard on ${tunnel.url}`);
    return tunnel;
  }

  /** Forwards a custom port (`rig tunnel LOCAL:REMOTE`). */
  async openCustomTunnel(localPort: number, remotePort: number): Promise<TunnelView> {
    const tunnel = await this.parts.connect.tunnels.openForward(this.parts.state.requireName(), { localPort, remoteHost: 'localhost', remotePort, label: null });
    this.parts.state.setNotice(`Port ${remotePort} on ${tunnel.url}`);
    return tunnel;
  }

  /** "Re-open on start" on a tunnel (or Forget on one that could not re-open). */
  setTunnelReopen(localPort: number, reopen: boolean): void {
    this.parts.connect.tunnels.setReopen(this.parts.state.requireName(), localPort, reopen);
  }

  /** Opens the workstation's home folder in VS Code over Remote-SSH (`rig code`). */
  async openInVsCode(): Promise<{ readonly link: string }> {
    const link = await this.parts.connect.openInVsCode(this.parts.state.requireName());
    this.parts.state.setNotice('Opened in VS Code');
    return { link };
  }

  /** Resume or network change: admit the new public address when it moved; say what happened. */
  async followAddressDrift(): Promise<string | null> {
    const { state } = this.parts;
    if (state.watched === null || state.snapshot?.instance == null) return null;
    const report = await state.rig().connect.followAddressDrift(state.watched);
    if (report.changed || report.cidr === null) state.setNotice(report.message);
    return report.message;
  }

  /** Copies the ssh command that tails the whole setup log (`tail -f`, the log's fixed path quoted). */
  async copySetupLogCommand(): Promise<{ copied: string }> {
    const { state, connect } = this.parts;
    const name = state.requireName();
    const command = connect.setup.logTailCommand(name, await state.rig().connect.sshTarget(name), state.settings().sshConfigInstalled);
    await this.copyText(command, 'the command that follows the setup log');
    state.setNotice('Copied the command that follows the setup log');
    return { copied: command };
  }

  /** Opens a terminal running `less` on the whole setup log on the box. */
  async openSetupLog(): Promise<{ terminal: string }> {
    const { state, ports, connect } = this.parts;
    const name = state.requireName();
    const argv = connect.setup.logViewerArgv(name, await state.rig().connect.sshTarget(name), state.settings().sshConfigInstalled);
    const app = await ports.terminal.open(argv, { preferred: state.settings().terminal, title: `CloudRig: ${name} setup log` });
    state.setNotice(`Opened the setup log in ${app.label}`);
    return { terminal: app.label };
  }

  /** "Change…": the folder dialog picks the folder pushed to the shown workstation. */
  async chooseProjectFolder(): Promise<void> {
    const { state, ports, connect } = this.parts;
    const folder = await connect.project.choose(state.requireName(), ports.folderPicker);
    if (folder) state.setNotice(`Push folder: ${folder.local} → ${folder.remote}`);
  }

  /** "Push now": the same copy as `rig push`; progress and the outcome come as views. */
  async pushProjectNow(): Promise<void> {
    await this.parts.connect.project.push(this.parts.state.requireName());
  }

  /** "Push on start" on or off, or another folder on the workstation. */
  updateProjectFolder(change: { readonly pushOnStart?: boolean; readonly remote?: string }): void {
    this.parts.connect.project.update(this.parts.state.requireName(), change);
  }

  /** Puts text on the clipboard, or says it could not and gives the text to copy by hand. */
  private async copyText(text: string, what: string): Promise<void> {
    try {
      await this.parts.ports.clipboard.writeText(text);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      throw new CloudRigError('ClipboardFailed', `Could not put ${what} on the clipboard (${reason}).`, { action: 'copy-by-hand', text });
    }
  }
}

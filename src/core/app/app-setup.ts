// The app's side of the setup script: while a fresh instance runs it, the popover
// shows "Setting up <name>…" with the log's last lines, read by the same followSetup use case as
// `rig up` (same poll interval) over the app's kept-alive session. A failure stays on screen with
// its last lines and the fix; a success offers, once, to save an image of the set-up disk. A
// restart, or an instance launched from an image that already ran it, shows nothing (followSetup's
// modes). Following ends with the session: Stop closes it.
import type { ProgressStep, SetupView, WorkstationView } from '../../shared/views.js';
import type { ErrorInfo, Snapshot } from '../../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { NotificationModel } from '../notification-policy.js';
import { SETUP_FAILED_LABEL } from '../popover-model.js';
import type { SshTarget } from '../ports.js';
import { displayedSshArgv } from '../ssh-config.js';
import { shellQuote } from '../ssh-command.js';
import type { Rig } from './rig.js';
import { followSetup, setupFailure, setupLogPath } from './face.js';
import type { FollowMode, SetupOutcome, SetupState } from './setup-script.js';
import type { RemoteShell } from './stats.js';

/** How many of the log's last lines the popover shows. */
export const SETUP_VIEW_LINES = 20;

/** What the popover offers after a success (CloudRig saves an image only on the way to terminating). */
export const SAVE_IMAGE_SUGGESTION =
  'Setup finished — save an image so the next launch starts ready. Saving the image ends this instance: CloudRig saves its disk, then terminates it; the next launch starts from the image, set up.';

export interface AppSetupDeps {
  readonly rig: () => Rig;
  readonly changed: () => void;
  readonly notify: (notification: NotificationModel) => void;
  readonly log: (line: string) => void;
  /** Where the runner keeps its files on the box (CLOUDRIG_SETUP_DIR, tests); SETUP_DIR by default. */
  readonly dir?: string;
}

/** The setup being shown: one instance of one workstation. */
interface Shown {
  readonly name: string;
  readonly instanceId: string;
  /** null until the first answer says there is something to show (an attach, a saved image). */
  state: SetupView['state'] | null;
  readonly lines: string[];
  error: ErrorInfo | null;
  suggest: boolean;
}

/** The followed state as the view says it; null keeps what was shown. */
function viewState(state: SetupState): SetupView['state'] | null {
  if (state.kind === 'none') return 'waiting';
  if (state.kind === 'running') return 'running';
  return null;
}

export class AppSetup {
  private shown: Shown | null = null;
  /** Instances whose setup this app followed to its end: a restart of one is attached to, never replayed. */
  private readonly concluded = new Set<string>();

  constructor(private readonly deps: AppSetupDeps) {}

  /** How to follow this instance: fresh when this app's core launched it and has not followed it to its end yet. */
  private modeOf(name: string, instanceId: string): FollowMode {
    const launch = this.deps.rig().app.lastLaunch(name);
    if (launch?.instanceId !== instanceId || this.concluded.has(instanceId)) return 'attach';
    return launch.fromSavedImage ? 'fresh-from-saved-image' : 'fresh';
  }

  /**
   * Follows the setup of the ready instance in `snapshot` over `shell` until it ends or `signal`
   * aborts (Stop). Nothing happens without a setup script.
   */
  async follow(shell: RemoteShell, snapshot: Snapshot, signal: AbortSignal): Promise<void> {
    const rig = this.deps.rig();
    const instanceId = snapshot.instance?.instanceId;
    if (!instanceId || !rig.spec(snapshot.name).setupScript) return;
    const mode = this.modeOf(snapshot.name, instanceId);
    const shown: Shown = { name: snapshot.name, instanceId, state: mode === 'fresh' ? 'waiting' : null, lines: [], error: null, suggest: false };
    this.shown = shown;
    if (shown.state) this.deps.changed();
    let outcome: SetupOutcome;
    try {
      outcome = await followSetup({
        shell, clock: rig.clock, mode, signal,
        ...(this.deps.dir ? { dir: this.deps.dir } : {}),
        onLine: (line) => {
          shown.lines.push(line);
          if (shown.lines.length > SETUP_VIEW_LINES) shown.lines.shift();
        },
        onState: (state) => {
          shown.state = viewState(state) ?? shown.state;
          if (this.shown === shown) this.deps.changed();
        },
      });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (this.shown !== shown || signal.aborted) return;
    this.deps.log(`setup script of ${snapshot.name} on ${instanceId} (${mode}): ${outcome.kind}`);
    this.concluded.add(instanceId);
    this.conclude(shown, outcome);
    // Remembered in the home for this instance: the app after a restart, `rig status` and `rig up` say it too.
    if (outcome.kind !== 'nothing') {
      await rig.noteSetupOutcome(snapshot.name, instanceId, setupFailure(snapshot.name, outcome, this.deps.dir))
        .catch((error: unknown) => this.deps.log(`setup outcome not saved: ${toErrorInfo(error).message}`));
    }
  }

  private conclude(shown: Shown, outcome: SetupOutcome): void {
    const failure = setupFailure(shown.name, outcome, this.deps.dir);
    if (outcome.kind === 'succeeded') {
      shown.state = 'succeeded';
      shown.suggest = true;
      this.deps.notify({
        key: `setup:${shown.name}:${shown.instanceId}`, kind: 'ready', title: `${shown.name} is set up`,
        body: 'The setup script finished. Save an image of it so the next launch starts ready.', action: 'show-popover', buttons: [],
      });
    } else if (failure) {
      shown.state = 'failed';
      shown.error = failure;
      this.deps.notify({
        key: `setup:${shown.name}:${shown.instanceId}`, kind: 'error', title: `Setup did not finish on ${shown.name}`,
        body: `${failure.message} Its last lines are shown with the workstation.`, action: 'show-popover', buttons: [],
      });
    } else {
      this.shown = null;
    }
    this.deps.changed();
  }

  /** The popover no longer follows (Stop, the session closed); returns whether something was shown. */
  clear(): boolean {
    const had = this.shown?.state != null;
    this.shown = null;
    return had;
  }

  /** Hides the Save image suggestion (answered, or dismissed). */
  dismiss(): void {
    if (!this.shown || this.shown.state !== 'succeeded') return;
    this.shown = null;
    this.deps.changed();
  }

  /** Whether the one-time Save image suggestion is up. */
  suggesting(): boolean {
    return this.shown?.suggest === true;
  }

  /**
   * The setup as the popover shows it; null when there is nothing to show. A failure remembered
   * for the workstation's instance (followed by `rig up`, or before the app restarted) shows as
   * failed until a fresh instance runs.
   */
  view(snapshot?: Snapshot | null): SetupView | null {
    const remembered = snapshot?.setupFailure;
    // A failure belongs to its instance: a fresh one (a new launch) no longer shows it.
    const old = this.shown;
    if (old?.state === 'failed' && snapshot?.instance && old.name === snapshot.name && old.instanceId !== snapshot.instance.instanceId) this.shown = null;
    if (!this.shown && remembered && snapshot.instance) {
      this.shown = { name: snapshot.name, instanceId: snapshot.instance.instanceId, state: 'failed', lines: [], error: remembered, suggest: false };
    }
    const shown = this.shown;
    if (!shown?.state) return null;
    const titles: Record<SetupView['state'], string> = {
      waiting: `Setting up ${shown.name}… (waiting for the setup script to start)`,
      running: `Setting up ${shown.name}…`,
      succeeded: 'Setup finished',
      failed: `Setup did not finish on ${shown.name}`,
    };
    return {
      state: shown.state,
      title: titles[shown.state],
      lines: shown.state === 'succeeded' ? [] : [...shown.lines],
      error: shown.error,
      logPath: setupLogPath(this.deps.dir),
      suggestion: shown.suggest ? SAVE_IMAGE_SUGGESTION : null,
    };
  }

  /** One line for the tray's tooltip while the script runs. */
  trayLine(): string | null {
    const view = this.view();
    if (view?.state !== 'waiting' && view?.state !== 'running') return null;
    const last = view.lines.at(-1);
    return last ? `Setting up: ${last.slice(0, 60)}` : 'Setting up…';
  }

  /** The argv of a terminal running `less` on the whole log (over the pinned ssh, the path quoted). */
  logViewerArgv(name: string, target: SshTarget, sshConfigInstalled: boolean): string[] {
    this.requireShown(name);
    return withRemoteCommand(displayedSshArgv(name, target, sshConfigInstalled), `less +F ${shellQuote(setupLogPath(this.deps.dir))}`);
  }

  /** The ssh command line that tails the whole log, to paste into a shell. */
  logTailCommand(name: string, target: SshTarget, sshConfigInstalled: boolean): string {
    this.requireShown(name);
    return withRemoteCommand(displayedSshArgv(name, target, sshConfigInstalled), `tail -n +1 -f ${shellQuote(setupLogPath(this.deps.dir))}`)
      .map(shellQuote).join(' ');
  }

  private requireShown(name: string): void {
    if (this.shown?.name !== name || !this.shown.state) {
      throw new CloudRigError('NotRunning', `No setup script of ${name} is being followed now.`, { action: 'setup-not-running', name });
    }
  }
}

/** `ssh … host` with a terminal and a remote command (one word: the remote shell splits it). */
function withRemoteCommand(argv: readonly string[], command: string): string[] {
  const [ssh = 'ssh', ...rest] = argv;
  return [ssh, '-t', ...rest, '--', command];
}

/** The workstation as the popover shows it while its setup script runs: still being set up, one step to go. */
export function withSetupProgress(view: WorkstationView, setup: SetupView | null | undefined): WorkstationView {
  // The badge says the worst current fact: ssh answers, but the box is not set up.
  if (view.phase === 'ready' && setup?.state === 'failed') return { ...view, phaseLabel: SETUP_FAILED_LABEL, tone: 'bad' };
  if (view.phase !== 'ready' || (setup?.state !== 'waiting' && setup?.state !== 'running')) return view;
  const steps: ProgressStep[] = [
    { id: 'requesting', label: 'Requesting', state: 'done' },
    { id: 'pending', label: 'Pending', state: 'done' },
    { id: 'running', label: 'Running', state: 'done' },
    { id: 'ssh', label: 'SSH ready', state: 'done' },
    { id: 'setup', label: 'Setup script', state: 'current' },
  ];
  return { ...view, phaseLabel: `Setting up ${view.name}…`, tone: 'busy', progress: steps };
}

// CloudRig's own monitoring must never keep the box awake, while real use still does. The box's
// idle watchdog counts every ssh connection that lasts from one check to the next as use, and the
// kept-alive session behind the GPU panel and `rig stats --watch` lasts as long as the app runs. So
// the session tells the box which connection is only monitoring: it registers itself (see
// monitorRegisterCommand) right after connecting and refreshes that record while it carries no
// tunnel and no file transfer. Opening the first tunnel or transfer withdraws the record (the
// connection is the user's work from then on); closing the last tunnel registers it again.
import { toErrorInfo } from '../../core/errors.js';
import {
  MONITOR_EXIT_NO_WATCHDOG, MONITOR_EXIT_OLD_WATCHDOG, MONITORS_DIR, monitorRegisterCommand, monitorUnregisterCommand,
} from '../../core/idle-watchdog.js';

/** Runs a command over one particular ssh connection (the one being registered), never another. */
export type ConnectionShell = (command: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Releases one use; calling it again does nothing. */
export type ReleaseUse = () => void;

/**
 * One kept-alive session's standing on the box: monitoring while nothing holds a use, the user's
 * work while something does. Its remote commands run one at a time, in order, on the connection
 * of the moment; a connection that ended takes its record with it (the watchdog drops records of
 * ended connections). A record the box cannot take (a box launched before registration) is said
 * once, through `onNote`, and the session carries on.
 */
export class MonitorRegistration {
  private uses = 0;
  private shell: ConnectionShell | null = null;
  private registered = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private note: string | null = null;
  private noted = false;
  private listener: ((message: string) => void) | null = null;

  constructor(private readonly options: { readonly workstation: string; readonly dir?: string }) {}

  /** Whether the session counts as CloudRig's monitoring now (no tunnel, no transfer). */
  get monitoring(): boolean {
    return this.uses === 0;
  }

  /** A new connection is up: it registers at once, unless a use is held. */
  connected(shell: ConnectionShell): void {
    this.shell = shell;
    this.registered = false;
    this.sync();
  }

  /** The connection `shell` runs on ended: its record goes with it. */
  disconnected(shell: ConnectionShell): void {
    if (this.shell !== shell) return;
    this.shell = null;
    this.registered = false;
  }

  /** Marks the session as the user's work (a tunnel, a transfer) until the returned release. */
  use(): ReleaseUse {
    this.uses += 1;
    this.sync();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.uses -= 1;
      this.sync();
    };
  }

  /** Writes the record again (so it stays fresh), or withdraws one a failed withdrawal left; resolves when done. */
  refresh(): Promise<void> {
    this.sync();
    return this.queue;
  }

  /** Hears, once per session, why the box could not take the record. */
  onNote(listener: (message: string) => void): void {
    this.listener = listener;
    this.tell();
  }

  /** The session ends: nothing more runs (the box drops the record of the ended connection). */
  close(): void {
    this.closed = true;
    this.shell = null;
  }

  private sync(): void {
    this.queue = this.queue.then(() => this.apply());
  }

  private async apply(): Promise<void> {
    const shell = this.shell;
    if (shell === null || this.closed) return;
    const register = this.uses === 0;
    if (!register && !this.registered) return;
    const dir = this.options.dir ?? MONITORS_DIR;
    try {
      const result = await shell(register ? monitorRegisterCommand(dir) : monitorUnregisterCommand(dir));
      if (shell !== this.shell) return;
      if (result.code === 0) {
        this.registered = register;
      } else if (register && result.code !== MONITOR_EXIT_NO_WATCHDOG) {
        this.say(result.code === MONITOR_EXIT_OLD_WATCHDOG ? this.oldWatchdog() : this.failed(firstLine(result.stderr) || `exit ${result.code}`));
      } else if (!register) {
        this.say(this.failed(firstLine(result.stderr) || `exit ${result.code}`));
      }
    } catch (error) {
      // A connection that ended or a session that closed meanwhile is not worth a word.
      if (shell === this.shell && !this.closed) this.say(this.failed(toErrorInfo(error).message));
    }
  }

  private oldWatchdog(): string {
    return `Workstation ${this.options.workstation} was launched before its idle watchdog could tell CloudRig's monitoring from use, `
      + 'so the watchdog counts this connection as use while it stays open; stop the machine when you are done (instances launched from now on tell them apart).';
  }

  private failed(why: string): string {
    return `Could not tell workstation ${this.options.workstation}'s idle watchdog that this connection is CloudRig's monitoring (${why}); `
      + 'the watchdog counts it as use while it stays open.';
  }

  private say(message: string): void {
    if (this.noted || this.note !== null) return;
    this.note = message;
    this.tell();
  }

  private tell(): void {
    if (this.note === null || this.listener === null || this.noted) return;
    this.noted = true;
    this.listener(this.note);
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim().slice(0, 200) ?? '';
}

import { lstat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CloudRigError } from '../../core/errors.js';
import {
  pickTerminal,
  TERMINALS,
  terminalLaunch,
  terminalPlatform,
  type LaunchCommand,
  type TerminalApp,
  type TerminalPlatform,
  type TerminalProbe,
} from '../../core/terminal-command.js';

/**
 * How long a terminal's own launcher may take to fail before we call it started: on Windows and
 * Linux the launcher is (or becomes) the terminal window, which runs until the user closes it.
 */
const FAILS_WITHIN_MS = 1_500;

/** osascript's error when the user refused (now or earlier) to let CloudRig control the app. */
const NOT_AUTHORIZED = /\(-1743\)/;
/** osascript's error when nobody answered the consent prompt before the Apple event timed out (2 min). */
const TIMED_OUT = /\(-1712\)/;

const AUTOMATION_FIX = { action: 'allow-automation' } as const;

async function exists(path: string): Promise<boolean> {
  // lstat, not access: Windows app execution aliases (wt.exe) are reparse points access() rejects.
  return lstat(path).then(() => true, () => false);
}

/** Opens the system terminal running a command, and says which terminals are installed. */
export class SystemTerminal {
  private readonly platform: TerminalPlatform;

  constructor(
    platform: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.platform = terminalPlatform(platform);
  }

  private async present(probe: TerminalProbe): Promise<boolean> {
    if (probe.kind === 'app') {
      for (const path of probe.paths) if (await exists(path)) return true;
      return false;
    }
    const dirs = (this.env.PATH ?? this.env.Path ?? '').split(delimiter).filter(Boolean);
    for (const dir of dirs) if (await exists(join(dir, probe.name))) return true;
    return false;
  }

  /** Ids of the installed terminals of this platform. */
  async installed(): Promise<Set<string>> {
    const apps = TERMINALS[this.platform];
    const present = await Promise.all(apps.map((app) => this.present(app.probe)));
    return new Set(apps.filter((_, index) => present[index]).map((app) => app.id));
  }

  /**
   * Opens a new terminal window running `argv`, in the preferred terminal or the platform's
   * first installed one. Resolves once it started; rejects with the launcher's own error.
   */
  async open(argv: readonly string[], options: { readonly preferred: string | null; readonly title: string }): Promise<TerminalApp> {
    const app = pickTerminal(this.platform, options.preferred, await this.installed());
    await launch(terminalLaunch(app, argv, options.title), app.label, this.platform, this.env);
    return app;
  }
}

/** Why osascript failed, in the user's words, with the fix for it. */
function osascriptFailure(label: string, code: number | null, signal: NodeJS.Signals | null, stderr: string): CloudRigError {
  if (NOT_AUTHORIZED.test(stderr)) {
    return new CloudRigError('TerminalFailed', `${label} did not open: macOS did not let CloudRig control ${label} (Automation was refused).`, AUTOMATION_FIX);
  }
  if (TIMED_OUT.test(stderr)) {
    return new CloudRigError('TerminalFailed', `${label} did not open: macOS asked whether CloudRig may control ${label}, and the question went unanswered.`, AUTOMATION_FIX);
  }
  return new CloudRigError('TerminalFailed', `${label} did not open (exit ${code ?? signal}): ${stderr.trim() || 'no message'}.`, AUTOMATION_FIX);
}

/**
 * Runs a terminal's launcher and settles when the terminal started, or rejects with why not.
 * On macOS the launcher is osascript, which always ends: it asks Terminal or iTerm to open the
 * window and exits. The first time, macOS holds its Apple event behind a consent prompt for as
 * long as the user takes (up to the event's 2-minute time-out), so its exit status is awaited,
 * never guessed from a timer: a refusal (-1743) reaches the user whenever it comes. Elsewhere the
 * launcher is the terminal itself and keeps running: alive after FAILS_WITHIN_MS means started.
 */
export async function launch(command: LaunchCommand, label: string, platform: TerminalPlatform, env: NodeJS.ProcessEnv): Promise<void> {
  // child_process is loaded at the first terminal opened, not with the tray app's main process.
  const child = process.getBuiltinModule('node:child_process').spawn(command.file, [...command.args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
    windowsVerbatimArguments: command.verbatim ?? false,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = platform === 'darwin' ? null : setTimeout(() => {
      // Still running (a terminal window) or finished fine: it started.
      child.stderr?.destroy();
      child.unref();
      resolve();
    }, FAILS_WITHIN_MS);
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new CloudRigError('TerminalFailed', `Could not start ${label}: ${error.message}.`, { action: 'pick-terminal', installed: null }));
    });
    // osascript's whole stderr is wanted (it names the refusal): wait for the pipe to close too.
    // A Linux terminal may hand the pipe to a server process that outlives it: its exit is enough.
    child.once(platform === 'darwin' ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      if (code === 0) return resolve();
      reject(platform === 'darwin'
        ? osascriptFailure(label, code, signal, stderr)
        : new CloudRigError('TerminalFailed', `${label} did not open (exit ${code ?? signal}): ${stderr.trim() || 'no message'}.`, { action: 'pick-terminal', installed: null }));
    });
  });
}

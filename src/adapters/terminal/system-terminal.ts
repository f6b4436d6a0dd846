import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CloudRigError } from '../../core/errors.js';
import {
  pickTerminal,
  TERMINALS,
  terminalLaunch,
  terminalPlatform,
  type TerminalApp,
  type TerminalPlatform,
  type TerminalProbe,
} from '../../core/terminal-command.js';

/** How long a launcher may take to fail before we call it started (osascript fails fast). */
const FAILS_WITHIN_MS = 1_500;

async function exists(path: string): Promise<boolean> {
  // lstat, not access: Windows app execution aliases (wt.exe) are reparse points access() rejects.
  return lstat(path).then(() => true, () => false);
}

/** Opens the system terminal running a command, and says which terminals are installed. */
export class SystemTerminal {
  private readonly platform: TerminalPlatform;

  constructor(
    platform: string = process.platform,
    private readonly env: NodeJS.ProcessEnv = process.env,
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
    const command = terminalLaunch(app, argv, options.title);
    const child = spawn(command.file, [...command.args], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: this.env,
      windowsVerbatimArguments: command.verbatim ?? false,
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2_000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Still running (a terminal window) or finished fine (osascript): it started.
        child.stderr?.destroy();
        child.unref();
        resolve();
      }, FAILS_WITHIN_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new CloudRigError('TerminalFailed', `Could not start ${app.label}: ${error.message}.`, { action: 'pick-terminal', installed: null }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        reject(new CloudRigError('TerminalFailed', `${app.label} did not open (exit ${code ?? signal}): ${stderr.trim() || 'no message'}.`,
          this.platform === 'darwin'
            ? 'Allow CloudRig to control the terminal in System Settings → Privacy & Security → Automation, or pick another terminal.'
            : { action: 'pick-terminal', installed: null }));
      });
    });
    return app;
  }
}

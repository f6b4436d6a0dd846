import type { TerminalOption } from '../shared/views.js';
import { CloudRigError } from './errors.js';
import { shellQuote } from './ssh-command.js';

/** The platforms CloudRig knows terminals for; anything else is treated like Linux. */
export type TerminalPlatform = 'darwin' | 'win32' | 'linux';

/** How to tell whether a terminal is installed: a program on PATH, or an app bundle. */
export type TerminalProbe = { readonly kind: 'path'; readonly name: string } | { readonly kind: 'app'; readonly paths: readonly string[] };

/** A terminal app CloudRig can open, in the platform's order of preference. */
export interface TerminalApp {
  readonly id: string;
  readonly label: string;
  readonly probe: TerminalProbe;
}

/** The terminals per platform, preferred first. */
export const TERMINALS: Readonly<Record<TerminalPlatform, readonly TerminalApp[]>> = {
  darwin: [
    { id: 'iterm', label: 'iTerm2', probe: { kind: 'app', paths: ['/Applications/iTerm.app'] } },
    { id: 'terminal', label: 'Terminal', probe: { kind: 'app', paths: ['/System/Applications/Utilities/Terminal.app', '/Applications/Utilities/Terminal.app'] } },
  ],
  win32: [
    { id: 'windows-terminal', label: 'Windows Terminal', probe: { kind: 'path', name: 'wt.exe' } },
    { id: 'cmd', label: 'Command Prompt', probe: { kind: 'path', name: 'cmd.exe' } },
  ],
  linux: [
    { id: 'x-terminal-emulator', label: 'System default (x-terminal-emulator)', probe: { kind: 'path', name: 'x-terminal-emulator' } },
    { id: 'gnome-terminal', label: 'GNOME Terminal', probe: { kind: 'path', name: 'gnome-terminal' } },
    { id: 'konsole', label: 'Konsole', probe: { kind: 'path', name: 'konsole' } },
    { id: 'xterm', label: 'xterm', probe: { kind: 'path', name: 'xterm' } },
  ],
};

/** The platform key for Node's `process.platform`. */
export function terminalPlatform(platform: string): TerminalPlatform {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

/** The terminals of a platform with whether each is installed, for the settings view. */
export function terminalOptions(platform: TerminalPlatform, installed: ReadonlySet<string>): TerminalOption[] {
  return TERMINALS[platform].map((app) => ({ id: app.id, label: app.label, installed: installed.has(app.id) }));
}

/**
 * The terminal to open: the user's choice when it is installed, else the platform's first
 * installed one. A clear error when the choice is missing or there is none at all.
 */
export function pickTerminal(platform: TerminalPlatform, preferred: string | null, installed: ReadonlySet<string>): TerminalApp {
  const apps = TERMINALS[platform];
  if (preferred !== null) {
    const chosen = apps.find((app) => app.id === preferred);
    if (chosen && installed.has(chosen.id)) return chosen;
    throw new CloudRigError('TerminalNotFound',
      `The terminal chosen in Settings (${chosen?.label ?? preferred}) is not installed here.`,
      `Pick another terminal in Settings (${apps.filter((app) => installed.has(app.id)).map((app) => app.label).join(', ') || 'none found'}), or copy the ssh command instead.`);
  }
  const found = apps.find((app) => installed.has(app.id));
  if (found) return found;
  throw new CloudRigError('NoTerminal',
    `No terminal app found (looked for ${apps.map((app) => app.label).join(', ')}).`,
    platform === 'linux'
      ? 'Install one (e.g. `sudo apt install xterm`), or copy the ssh command and paste it into your terminal.'
      : 'Copy the ssh command and paste it into your terminal.');
}

/** A process to spawn. On Windows `verbatim` means the args are one pre-quoted command line. */
export interface LaunchCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly verbatim?: boolean;
}

/** Escapes text for an AppleScript string literal. */
function appleScriptString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Quotes one argument for a Windows command line (CommandLineToArgvW rules). */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"^&|<>%!()]/.test(arg)) return arg;
  // Backslashes before a quote (or the closing quote) are doubled; the quote itself is escaped.
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/**
 * Linux terminals close the window as soon as the command ends, so a failing ssh would flash
 * and vanish: keep the window open, with the exit status, when the command fails.
 */
export function holdOnFailure(argv: readonly string[]): string[] {
  const script = '"$@"; status=$?; if [ "$status" -ne 0 ]; then printf \'\\n[exited with status %s; press Enter to close]\' "$status"; read _; fi';
  return ['sh', '-c', script, 'cloudrig', ...argv];
}

/** How to open `app` running `argv` (e.g. `ssh -i key user@host`) in a new window titled `title`. */
export function terminalLaunch(app: TerminalApp, argv: readonly string[], title: string): LaunchCommand {
  const line = argv.map(shellQuote).join(' ');
  switch (app.id) {
    case 'terminal':
      return {
        file: 'osascript',
        args: ['-e', 'tell application "Terminal"', '-e', 'activate', '-e', `do script ${appleScriptString(line)}`, '-e', 'end tell'],
      };
    case 'iterm':
      return {
        file: 'osascript',
        args: [
          '-e', 'tell application "iTerm"',
          '-e', 'activate',
          '-e', 'set newWindow to (create window with default profile)',
          '-e', `tell current session of newWindow to write text ${appleScriptString(line)}`,
          '-e', 'end tell',
        ],
      };
    case 'windows-terminal':
      // `;` separates wt subcommands; escaped, it reaches ssh as a literal.
      return { file: 'wt.exe', args: ['new-tab', '--title', title, ...argv.map((arg) => arg.replaceAll(';', '\\;'))] };
    case 'cmd': {
      // start opens a new console; /s /k runs the quoted line and keeps the window open after it.
      const inner = argv.map(windowsQuote).join(' ');
      return { file: 'cmd.exe', args: [`/d /c start ${windowsQuote(title)} cmd.exe /s /k "${inner}"`], verbatim: true };
    }
    case 'gnome-terminal':
      return { file: 'gnome-terminal', args: ['--', ...holdOnFailure(argv)] };
    case 'konsole':
      return { file: 'konsole', args: ['-p', `tabtitle=${title}`, '-e', ...holdOnFailure(argv)] };
    case 'xterm':
      return { file: 'xterm', args: ['-T', title, '-e', ...holdOnFailure(argv)] };
    case 'x-terminal-emulator':
      return { file: 'x-terminal-emulator', args: ['-T', title, '-e', ...holdOnFailure(argv)] };
    default:
      throw new CloudRigError('NoTerminal', `CloudRig does not know how to open ${app.label}.`, 'Pick another terminal in Settings.');
  }
}

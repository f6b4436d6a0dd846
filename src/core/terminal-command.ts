import type { TerminalOption } from '../shared/views.js';
import { CloudRigError } from './errors.js';
import { hasControlCharacters } from '../shared/untrusted-text.js';

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
    { id: 'powershell', label: 'Windows PowerShell', probe: { kind: 'path', name: 'powershell.exe' } },
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
      `The terminal you chose (${chosen?.label ?? preferred}) is not installed here.`,
      { action: 'pick-terminal', installed: apps.filter((app) => installed.has(app.id)).map((app) => app.label) });
  }
  const found = apps.find((app) => installed.has(app.id));
  if (found) return found;
  throw new CloudRigError('NoTerminal',
    `No terminal app found (looked for ${apps.map((app) => app.label).join(', ')}).`,
    { action: 'install-terminal', linux: platform === 'linux' });
}

/** A process to spawn. On Windows `verbatim` means the args are one pre-quoted command line. */
export interface LaunchCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly verbatim?: boolean;
}

/**
 * AppleScript that opens `app` and types the command built from the script's arguments, each
 * quoted with `quoted form of` (POSIX single quotes). No value is ever part of the script text.
 */
function appleScriptRunning(app: 'Terminal' | 'iTerm'): string[] {
  const run = app === 'Terminal'
    ? [
      // Terminal opens a window of its own when it starts (its "On startup, open" setting), and
      // `do script` alone opens another: started by us, the command goes into the window it opened.
      // A Terminal that was already running gets a new window and the user's windows stay as they are.
      'set wasRunning to application "Terminal" is running',
      'tell application "Terminal"',
      'activate',
      'if not wasRunning and (count windows) > 0 then',
      'do script commandLine in window 1',
      'else',
      'do script commandLine',
      'end if',
      'end tell',
    ]
    : ['tell application "iTerm"', 'activate', 'set newWindow to (create window with default profile)', 'tell current session of newWindow to write text commandLine', 'end tell'];
  return [
    'on run argv',
    'set commandLine to ""',
    'repeat with arg in argv',
    'set theArg to arg as text',
    // osascript's option parser takes the `--` that ends its options; should one reach us, skip it.
    'if not (commandLine is "" and theArg is "--") then',
    'if commandLine is not "" then set commandLine to commandLine & " "',
    'set commandLine to commandLine & quoted form of theArg',
    'end if',
    'end repeat',
    ...run,
    'end run',
  ];
}

/** Quotes one argument for a Windows command line (CommandLineToArgvW rules). */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"^&|<>%!()]/.test(arg)) return arg;
  // Backslashes before a quote (or the closing quote) are doubled; the quote itself is escaped.
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/**
 * Escapes a command line for one pass of cmd.exe: every character cmd treats specially gets a
 * caret, quotes included, so cmd never enters quote mode and `&`, `|`, `%PATH%`… stay literal
 * (a `%` followed by a caret names no variable, and the caret is then removed).
 */
export function cmdEscape(line: string): string {
  return line.replace(/[()%!^"<>&|]/g, '^$&');
}

/** Quotes one word as a PowerShell single-quoted string: only quotes are special there (PowerShell counts the typographic ones too). */
export function powerShellQuote(word: string): string {
  return `'${word.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** Base64 of UTF-16LE, what `powershell -EncodedCommand` takes: no character any parser treats specially. */
function utf16Base64(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes.push(unit & 0xff, unit >> 8);
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!
      + (i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : '=') + (i + 2 < bytes.length ? alphabet[n & 63]! : '=');
  }
  return out;
}

/** Windows launchers cannot carry these in an argument (a newline ends a cmd line; wt drops inner quotes). */
function refuseOnWindows(argv: readonly string[], label: string, also: RegExp | null = null): void {
  const bad = argv.find((arg) => hasControlCharacters(arg) || (also !== null && also.test(arg)));
  if (bad !== undefined) {
    throw new CloudRigError('TerminalFailed', `${label} cannot be given the argument ${JSON.stringify(bad)}.`,
      { action: 'steps', steps: [{ action: 'copy-ssh-command' }, { action: 'move-home' }] });
  }
}

/** A title made only of characters every launcher passes through as they are. */
function plainTitle(title: string): string {
  return title.replace(/[^\w :.-]/g, '');
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
  switch (app.id) {
    case 'terminal':
    case 'iterm':
      // The values travel as osascript's arguments (after `--`), never inside the script.
      return { file: 'osascript', args: [...appleScriptRunning(app.id === 'terminal' ? 'Terminal' : 'iTerm').flatMap((line) => ['-e', line]), '--', ...argv] };
    case 'windows-terminal':
      // wt re-joins the arguments into one command line, quoting those with spaces but not
      // escaping quotes inside them: refuse those. `;` separates wt subcommands: escaped, it is a literal.
      refuseOnWindows(argv, app.label, /"/);
      return { file: 'wt.exe', args: ['new-tab', '--title', plainTitle(title), ...argv.map((arg) => arg.replaceAll(';', '\\;'))] };
    case 'cmd': {
      refuseOnWindows(argv, app.label);
      // The outer cmd runs `start`, which hands the rest to a new cmd that runs it and stays open
      // (/k): two cmd passes, so the line is escaped twice. Delayed expansion (!) is off in both.
      const line = argv.map(windowsQuote).join(' ');
      return { file: 'cmd.exe', args: [`/d /v:off /c start "${plainTitle(title)}" cmd.exe /d /v:off /k ${cmdEscape(cmdEscape(line))}`], verbatim: true };
    }
    case 'powershell': {
      refuseOnWindows(argv, app.label, /"/);
      // The script travels base64-encoded, so neither cmd nor PowerShell's parser sees the values;
      // inside it each value is a single-quoted literal passed to the call operator.
      const [program = 'ssh', ...rest] = argv;
      const script = `$Host.UI.RawUI.WindowTitle = ${powerShellQuote(plainTitle(title))}; & ${[program, ...rest].map(powerShellQuote).join(' ')}`;
      return { file: 'cmd.exe', args: [`/d /v:off /c start "${plainTitle(title)}" powershell.exe -NoLogo -NoProfile -NoExit -EncodedCommand ${utf16Base64(script)}`], verbatim: true };
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
      throw new CloudRigError('NoTerminal', `CloudRig does not know how to open ${app.label}.`, { action: 'pick-terminal', installed: null });
  }
}

import { describe, expect, it } from 'vitest';
import {
  cmdEscape,
  holdOnFailure,
  powerShellQuote,
  pickTerminal,
  TERMINALS,
  terminalLaunch,
  terminalOptions,
  terminalPlatform,
  windowsQuote,
  type TerminalApp,
} from '../../src/core/terminal-command.js';
import type { CloudRigError } from '../../src/core/errors.js';
import { hasControlCharacters } from '../../src/shared/untrusted-text.js';
import { fixWorded } from '../support/fix-matchers.js';

/** Values that would split, chain or expand a command if any layer mis-quoted them. */
const HOSTILE = ['a&calc', 'a|calc', 'say "hi"', "it's", '$(id)', '`id`', '%PATH%', '!PATH!', '^x', 'a<b>c', '(x)', 'new\nline', 'tab\there', 'back\\slash\\', '-oProxyCommand=x', ';', ''];

/** One pass of cmd.exe over a command line (no delayed expansion): %VAR% expansion, then carets. Unescaped & | < > would split it. */
function cmdPass(line: string, env: Record<string, string> = { PATH: 'C:\\Windows' }): string {
  const expanded = line.replace(/%([^%]+)%/g, (whole, name: string) => env[name] ?? whole);
  let out = '';
  let quoted = false;
  for (let i = 0; i < expanded.length; i++) {
    const char = expanded[i]!;
    if (char === '^' && !quoted) {
      out += expanded[++i] ?? '';
    } else {
      if (char === '"') quoted = !quoted;
      if (!quoted && '&|<>'.includes(char)) throw new Error(`cmd would treat ${char} as an operator in ${line}`);
      if (char === '\n') throw new Error('a newline ends the cmd line');
      out += char;
    }
  }
  return out;
}

/** CommandLineToArgvW's rules (what ssh.exe's C runtime does with its command line). */
function commandLineToArgv(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const char = line[i]!;
      if (char === '\\') {
        let slashes = 0;
        while (line[i] === '\\') { slashes++; i++; }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(slashes / 2));
          if (slashes % 2 === 1) { arg += '"'; continue; }
          i--;
          arg += '';
          continue;
        }
        arg += '\\'.repeat(slashes);
        i--;
      } else if (char === '"') {
        if (quoted && line[i + 1] === '"') { arg += '"'; i++; } else quoted = !quoted;
      } else if ((char === ' ' || char === '\t') && !quoted) {
        break;
      } else {
        arg += char;
      }
    }
    args.push(arg);
  }
  return args;
}

/** Windows launchers refuse control characters (a newline ends a cmd line): tested on their own. */
const CONTROL = { test: hasControlCharacters };

const SSH = ['ssh', '-i', '/Users/me/Library/Application Support/CloudRig/keys/cloudrig-gpu', '-o', 'IdentitiesOnly=yes', 'ubuntu@203.0.113.7'];

function app(platform: 'darwin' | 'win32' | 'linux', id: string): TerminalApp {
  const found = TERMINALS[platform].find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

describe('terminalLaunch', () => {
  it('runs the command in a new macOS Terminal or iTerm window: the values are osascript arguments, never script text', () => {
    for (const [id, tell] of [['terminal', 'tell application "Terminal"'], ['iterm', 'tell application "iTerm"']] as const) {
      const command = terminalLaunch(app('darwin', id), [...SSH, ...HOSTILE], 'CloudRig: gpu');
      expect(command.file).toBe('osascript');
      const dash = command.args.indexOf('--');
      const script = command.args.slice(0, dash);
      expect(script.filter((_, i) => i % 2 === 0).every((flag) => flag === '-e')).toBe(true);
      const lines = script.filter((_, i) => i % 2 === 1);
      expect(lines).toContain(tell);
      expect(lines).toContain('set commandLine to commandLine & quoted form of theArg');
      // Not one value of the argv is in the script; all of them follow `--`, unchanged.
      for (const value of [...SSH.slice(1), ...HOSTILE].filter((v) => v.length > 2)) expect(lines.join('\n')).not.toContain(value);
      expect(command.args.slice(dash + 1)).toEqual([...SSH, ...HOSTILE]);
    }
  });

  it('leaves no extra empty Terminal window: a Terminal it starts runs the command in the window it opens at launch', () => {
    const command = terminalLaunch(app('darwin', 'terminal'), SSH, 'CloudRig: gpu');
    const lines = command.args.slice(0, command.args.indexOf('--')).filter((_, i) => i % 2 === 1);
    // Asked before the tell: any event sent to Terminal would start it.
    const asked = lines.indexOf('set wasRunning to application "Terminal" is running');
    const tell = lines.indexOf('tell application "Terminal"');
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(tell);
    expect(lines.slice(tell, lines.indexOf('end tell', tell) + 1)).toEqual([
      'tell application "Terminal"',
      'activate',
      // Just started: Terminal opened its startup window (unless set to open none); the command goes there.
      'if not wasRunning and (count windows) > 0 then',
      'do script commandLine in window 1',
      // Already running: a new window, never a tab the user is working in.
      'else',
      'do script commandLine',
      'end if',
      'end tell',
    ]);
  });

  it('opens a Windows Terminal tab with the argv, escaping wt\'s command separator', () => {
    expect(terminalLaunch(app('win32', 'windows-terminal'), ['ssh', '-o', 'ProxyCommand=a;b', 'u@h'], 'CloudRig: gpu')).toEqual({
      file: 'wt.exe', args: ['new-tab', '--title', 'CloudRig: gpu', 'ssh', '-o', 'ProxyCommand=a\\;b', 'u@h'],
    });
  });

  it.each(['a"b', 'a\nb', 'a\tb'])('refuses to hand Windows Terminal and PowerShell an argument wt or PowerShell 5 would mangle: %j', (bad) => {
    for (const id of ['windows-terminal', 'powershell']) {
      expect(() => terminalLaunch(app('win32', id), ['ssh', bad], 't')).toThrow(expect.objectContaining({ code: 'TerminalFailed', fix: fixWorded('app', 'Copy the ssh command') }));
    }
    expect(() => terminalLaunch(app('win32', 'cmd'), ['ssh', 'a\nb'], 't')).toThrow(expect.objectContaining({ code: 'TerminalFailed' }));
  });

  it('opens cmd in a new console that stays open; after both cmd passes ssh.exe gets exactly the argv, hostile values included', () => {
    const argv = ['ssh', '-i', 'C:\\Users\\Me Too\\key', ...HOSTILE.filter((value) => !CONTROL.test(value)), 'u@h'];
    const command = terminalLaunch(app('win32', 'cmd'), argv, 'CloudRig: gpu');
    expect(command.file).toBe('cmd.exe');
    expect(command.verbatim).toBe(true);
    const [line] = command.args;
    const prefix = '/d /v:off /c start "CloudRig: gpu" cmd.exe /d /v:off /k ';
    expect(line!.startsWith(prefix)).toBe(true);
    // The outer cmd runs start (one pass); the new cmd runs the rest (a second pass).
    const inner = cmdPass(cmdPass(line!.slice(prefix.length)));
    expect(commandLineToArgv(inner)).toEqual(argv);
  });

  it('opens PowerShell with the command base64-encoded, each value a single-quoted literal', () => {
    const argv = ['ssh', '-i', 'C:\\Users\\Me Too\\key', ...HOSTILE.filter((value) => !CONTROL.test(value) && !value.includes('"')), '‘smart’'];
    const command = terminalLaunch(app('win32', 'powershell'), argv, 'CloudRig: gpu');
    const match = /^\/d \/v:off \/c start "CloudRig: gpu" powershell\.exe -NoLogo -NoProfile -NoExit -EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(command.args[0]!);
    expect(match).not.toBeNull();
    const script = Buffer.from(match![1]!, 'base64').toString('utf16le');
    expect(script).toBe(`$Host.UI.RawUI.WindowTitle = 'CloudRig: gpu'; & ${argv.map(powerShellQuote).join(' ')}`);
    expect(powerShellQuote("it's ‘x’")).toBe("'it''s ‘‘x’’'");
  });

  it('keeps Linux terminal windows open when the command fails', () => {
    expect(terminalLaunch(app('linux', 'xterm'), ['ssh', 'u@h'], 'CloudRig: gpu')).toEqual({
      file: 'xterm', args: ['-T', 'CloudRig: gpu', '-e', ...holdOnFailure(['ssh', 'u@h'])],
    });
    expect(terminalLaunch(app('linux', 'gnome-terminal'), ['ssh', 'u@h'], 't').args.slice(0, 3)).toEqual(['--', 'sh', '-c']);
    expect(terminalLaunch(app('linux', 'konsole'), ['ssh', 'u@h'], 't').args.slice(0, 4)).toEqual(['-p', 'tabtitle=t', '-e', 'sh']);
    expect(terminalLaunch(app('linux', 'x-terminal-emulator'), ['ssh', 'u@h'], 't').args.slice(0, 4)).toEqual(['-T', 't', '-e', 'sh']);
    // The argv reaches sh as positional parameters: no second round of quoting.
    expect(holdOnFailure(['ssh', 'a b']).slice(3)).toEqual(['cloudrig', 'ssh', 'a b']);
  });
});

describe('windowsQuote', () => {
  it('quotes only what needs it, doubling backslashes before quotes', () => {
    expect(['plain', 'two words', '', 'say "hi"', 'C:\\dir with space\\'].map(windowsQuote))
      .toEqual(['plain', '"two words"', '""', '"say \\"hi\\""', '"C:\\dir with space\\\\"']);
  });
});

describe('pickTerminal', () => {
  it('takes the first installed terminal of the platform', () => {
    expect(pickTerminal('linux', null, new Set(['xterm', 'konsole'])).id).toBe('konsole');
    expect(pickTerminal('darwin', null, new Set(['terminal'])).id).toBe('terminal');
    expect(pickTerminal('win32', null, new Set(['cmd', 'windows-terminal'])).id).toBe('windows-terminal');
  });

  it('honours the setting when that terminal is installed', () => {
    expect(pickTerminal('linux', 'xterm', new Set(['x-terminal-emulator', 'xterm'])).id).toBe('xterm');
  });

  it('says clearly when the chosen terminal is missing, naming the ones found', () => {
    const error = (() => {
      try {
        pickTerminal('linux', 'konsole', new Set(['xterm']));
      } catch (thrown) {
        return thrown as CloudRigError;
      }
      return null;
    })();
    expect(error).toMatchObject({ code: 'TerminalNotFound', message: 'The terminal you chose (Konsole) is not installed here.' });
    expect(error?.fix).toEqual(fixWorded('app', 'Settings → App (xterm)'));
  });

  it('says what to install when there is no terminal at all', () => {
    expect(() => pickTerminal('linux', null, new Set())).toThrow(/No terminal app found \(looked for System default \(x-terminal-emulator\), GNOME Terminal, Konsole, xterm\)/);
  });
});

describe('terminal options', () => {
  it('lists the platform\'s terminals with what is installed, and treats other Unixes as Linux', () => {
    expect(terminalOptions('darwin', new Set(['terminal']))).toEqual([
      { id: 'iterm', label: 'iTerm2', installed: false },
      { id: 'terminal', label: 'Terminal', installed: true },
    ]);
    expect(terminalPlatform('freebsd')).toBe('linux');
  });
});

describe('cmdEscape', () => {
  it('makes every cmd metacharacter literal, quotes included, so %VAR% is not expanded', () => {
    expect(cmdPass(cmdEscape('a & b | "c" %PATH% ^ <x> (y) !z!'))).toBe('a & b | "c" %PATH% ^ <x> (y) !z!');
  });
});

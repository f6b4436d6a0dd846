import { describe, expect, it } from 'vitest';
import {
  holdOnFailure,
  pickTerminal,
  TERMINALS,
  terminalLaunch,
  terminalOptions,
  terminalPlatform,
  windowsQuote,
  type TerminalApp,
} from '../../src/core/terminal-command.js';
import type { CloudRigError } from '../../src/core/errors.js';

const SSH = ['ssh', '-i', '/Users/me/Library/Application Support/CloudRig/keys/cloudrig-gpu', '-o', 'IdentitiesOnly=yes', 'ubuntu@203.0.113.7'];

function app(platform: 'darwin' | 'win32' | 'linux', id: string): TerminalApp {
  const found = TERMINALS[platform].find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

describe('terminalLaunch', () => {
  it('runs the command in a new macOS Terminal window through AppleScript, quoted for sh', () => {
    const command = terminalLaunch(app('darwin', 'terminal'), SSH, 'CloudRig: gpu');
    expect(command.file).toBe('osascript');
    expect(command.args).toEqual([
      '-e', 'tell application "Terminal"',
      '-e', 'activate',
      '-e', `do script "ssh -i '/Users/me/Library/Application Support/CloudRig/keys/cloudrig-gpu' -o IdentitiesOnly=yes ubuntu@203.0.113.7"`,
      '-e', 'end tell',
    ]);
  });

  it('escapes quotes and backslashes for AppleScript', () => {
    const command = terminalLaunch(app('darwin', 'iterm'), ['echo', 'say "hi" \\o/'], 't');
    expect(command.args).toContain(`tell current session of newWindow to write text "echo 'say \\"hi\\" \\\\o/'"`);
    expect(command.args).toContain('tell application "iTerm"');
  });

  it('opens a Windows Terminal tab with the argv, escaping wt\'s command separator', () => {
    expect(terminalLaunch(app('win32', 'windows-terminal'), ['ssh', '-o', 'ProxyCommand=a;b', 'u@h'], 'CloudRig: gpu')).toEqual({
      file: 'wt.exe', args: ['new-tab', '--title', 'CloudRig: gpu', 'ssh', '-o', 'ProxyCommand=a\\;b', 'u@h'],
    });
  });

  it('opens cmd in a new console that stays open, with a quoted verbatim command line', () => {
    const command = terminalLaunch(app('win32', 'cmd'), ['ssh', '-i', 'C:\\Users\\Me Too\\key', 'u@h'], 'CloudRig: gpu');
    expect(command).toEqual({
      file: 'cmd.exe',
      args: ['/d /c start "CloudRig: gpu" cmd.exe /s /k "ssh -i "C:\\Users\\Me Too\\key" u@h"'],
      verbatim: true,
    });
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
    expect(error).toMatchObject({ code: 'TerminalNotFound', message: 'The terminal chosen in Settings (Konsole) is not installed here.' });
    expect(error?.fix).toContain('(xterm)');
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

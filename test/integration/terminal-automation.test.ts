import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launch } from '../../src/adapters/terminal/system-terminal.js';
import { TERMINALS, terminalLaunch } from '../../src/core/terminal-command.js';
import { fixWorded } from '../support/fix-matchers.js';

// "Open terminal" on macOS runs osascript, which macOS holds behind the Automation consent prompt
// the first time ("CloudRig wants to control Terminal"). No macOS runs here, so `osascript` is a
// FakeOsascript on PATH that answers as the real one does once the person has chosen: after a
// while, exit 1 with error -1743 when they refused, exit 0 when they allowed. It is given the
// script and the arguments CloudRig really generates.

const TERMINAL = TERMINALS.darwin.find((app) => app.id === 'terminal')!;
const SSH = ['ssh', '-i', '/Users/me/Library/Application Support/CloudRig/keys/cloudrig-gpu', 'ubuntu@203.0.113.7'];

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-osascript-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A FakeOsascript that records its arguments, then waits as long as the person takes to answer
 * the consent prompt (longer than the 1.5 s a terminal's launcher is given to fail) and answers.
 */
async function fakeOsascript(answer: 'refused' | 'allowed'): Promise<NodeJS.ProcessEnv> {
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$@" > '${join(dir, 'argv')}'`,
    'sleep 2',
    ...(answer === 'refused'
      ? ['echo "0:412: execution error: Not authorized to send Apple events to Terminal. (-1743)" >&2', 'exit 1']
      : ['exit 0']),
  ].join('\n');
  await writeFile(join(dir, 'osascript'), `${script}\n`);
  await chmod(join(dir, 'osascript'), 0o755);
  return { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir };
}

describe('opening Terminal on macOS when macOS asks whether CloudRig may control it', () => {
  it('reports a refusal that comes after the launcher\'s first seconds, with where to allow it', async () => {
    const env = await fakeOsascript('refused');
    const opening = launch(terminalLaunch(TERMINAL, SSH, 'CloudRig: gpu'), TERMINAL.label, 'darwin', env);
    await expect(opening).rejects.toMatchObject({
      code: 'TerminalFailed',
      message: 'Terminal did not open: macOS did not let CloudRig control Terminal (Automation was refused).',
      fix: fixWorded('app', 'System Settings → Privacy & Security → Automation'),
    });
    // It was osascript running CloudRig's script on the ssh command that was refused.
    const argv = (await readFile(join(dir, 'argv'), 'utf8')).split('\n');
    expect(argv).toContain('tell application "Terminal"');
    expect(argv.slice(argv.indexOf('--') + 1, -1)).toEqual(SSH);
  });

  it('counts the terminal as opened once the person allowed it', async () => {
    const env = await fakeOsascript('allowed');
    await expect(launch(terminalLaunch(TERMINAL, SSH, 'CloudRig: gpu'), TERMINAL.label, 'darwin', env)).resolves.toBeUndefined();
    await expect(readFile(join(dir, 'argv'), 'utf8')).resolves.toContain('do script commandLine');
  });
});

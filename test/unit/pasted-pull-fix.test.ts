import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliFix } from '../../src/cli/fix-wording.js';

// `rig pull ~` (or `..`, `/`) into the current folder is refused with a fix that names a new folder.
// Pasted into a shell, that command must hand rig the workstation path it was given: `~` is the
// workstation's home to rig (sftp-files remoteRoot), but a bare ~ is expanded by the local shell
// into this machine's home before rig ever sees it.

/** The words `sh` hands the command in the fix's backticks, with HOME set to a home that is not the box's. */
function wordsWhenPasted(fix: string): string[] {
  const command = /`([^`]+)`/.exec(fix)?.[1];
  expect(command, fix).toMatch(/^rig /);
  const printed = execFileSync('sh', ['-c', `printf '%s\\n' ${command!.slice('rig '.length)}`], { env: { PATH: process.env.PATH, HOME: '/home/local-user' }, encoding: 'utf8' });
  return printed.split('\n').slice(0, -1);
}

describe('the fix of a refused rig pull, pasted into a shell', () => {
  it.each(['~', '~/', '~/work', '..', '/', "~/Jo's work"])('gives rig the workstation path %j as it was typed', (remote) => {
    const fix = cliFix({ action: 'pull-into-new-folder', remote });
    expect(wordsWhenPasted(fix)).toEqual(['pull', remote, './pulled']);
  });

  it('leaves a plain path bare', () => {
    expect(cliFix({ action: 'pull-into-new-folder', remote: '..' })).toBe('Name a new folder for it, e.g. `rig pull .. ./pulled`.');
  });
});

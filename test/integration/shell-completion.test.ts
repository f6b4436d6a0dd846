import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The completion scripts call `rig` by name, as a user's shell does: a folder with `rig` (the built
// CLI) and this Node first on PATH. Bash runs the script `rig complete bash` prints, with
// bash-completion loaded as on a user's machine, and asks it to complete as a TAB press does.
const ROOT = resolve(import.meta.dirname, '../..');
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
let path = '';

beforeAll(async () => {
  const bin = await mkdtemp(join(tmpdir(), 'cloudrig-completion-'));
  await symlink(join(ROOT, 'bin', 'rig.js'), join(bin, 'rig'));
  path = `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
});

function run(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { env: { PATH: path, HOME: tmpdir(), CLOUDRIG_HOME: join(tmpdir(), 'cloudrig-completion-home') } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** What bash offers for the command line `line` (the cursor at its end), through rig's script. */
async function bashCompletes(words: readonly string[]): Promise<string[]> {
  const line = words.join(' ');
  const script = [
    `source ${BASH_COMPLETION}`,
    'source <(rig complete bash)',
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE='${line}'`,
    'COMP_POINT=${#COMP_LINE}',
    '__rig_complete 2>/dev/null',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = await run('bash', ['-c', script]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it.skipIf(!existsSync(BASH_COMPLETION))('in bash, completes commands and each command\'s options through the script rig prints', async () => {
    expect(await bashCompletes(['rig', 'st'])).toEqual(['status', 'stop', 'stats']);
    expect(await bashCompletes(['rig', 'gpus', '--m'])).toEqual(['--max-usd']);
    expect(await bashCompletes(['rig', 'export', '--'])).toEqual(expect.arrayContaining(['--skypilot', '--nodes', '--gpus']));
  });

  it('prints a script for zsh, fish and powershell that asks `rig complete` for the words, and refuses a shell it has none for', async () => {
    for (const shell of ['zsh', 'fish', 'powershell']) {
      const result = await run('rig', ['complete', shell]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^# ${shell} completion for rig`, 'm'));
      expect(result.stdout).toMatch(/rig complete '?--'?/);
    }
    const tcsh = await run('rig', ['complete', 'tcsh']);
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr).toMatch(/'tcsh' is invalid for argument 'shell'\. Allowed choices are zsh, bash, fish, powershell/);
  });
});

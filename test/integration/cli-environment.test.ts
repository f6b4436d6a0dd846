import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { openInBrowser } from '../../src/cli/remote-session.js';
import { ensureHome } from '../../src/adapters/store/home.js';
import { userSshConfigPath } from '../../src/adapters/ssh/ssh-config-file.js';
import { sharedAwsFiles } from '../../src/adapters/aws/credential-source.js';
import { waitUntil } from '../support/wait-until.js';
import { withProcessEnv } from '../support/process-env.js';

// What `rig` hands to children, where it looks for the user's files, and how it colours its help all
// follow the environment the run was given, not the process's: each test points the process's
// environment somewhere else for its duration (restored after) and checks the run did not follow it.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-cli-env-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('rig opening a browser', () => {
  it.skipIf(process.platform !== 'linux')('runs the opener the run\'s PATH finds, with the run\'s environment', async () => {
    // Two stand-in xdg-opens, one on the run's PATH and one on the process's, each saying which it is.
    const record = join(dir, 'opened');
    const bins = { run: join(dir, 'run-bin'), process: join(dir, 'process-bin') };
    for (const [which, bin] of Object.entries(bins)) {
      await mkdir(bin);
      const opener = join(bin, 'xdg-open');
      await writeFile(opener, `#!/bin/sh\nprintf '%s %s %s\\n' "${which}" "$MARKER" "$1" > '${record}'\n`);
      await chmod(opener, 0o755);
    }
    await withProcessEnv({ PATH: bins.process, MARKER: 'from-process' }, () =>
      openInBrowser('http://127.0.0.1:8888/?token=x', { PATH: bins.run, MARKER: 'from-run' }));
    await waitUntil('the opener ran', async () => (await readFile(record, 'utf8').catch(() => '')).endsWith('\n'));
    expect(await readFile(record, 'utf8')).toBe('run from-run http://127.0.0.1:8888/?token=x\n');
  });
});

describe('where rig looks for the user\'s files', () => {
  it('finds ~/.ssh/config and ~/.aws under the run\'s HOME, not the process\'s', async () => {
    await withProcessEnv({ HOME: '/intruder' }, () => {
      expect(userSshConfigPath({ HOME: '/home/run' })).toBe('/home/run/.ssh/config');
      expect(sharedAwsFiles({ HOME: '/home/run' })).toEqual({ filepath: '/home/run/.aws/credentials', configFilepath: '/home/run/.aws/config' });
      expect(sharedAwsFiles({ HOME: '/home/run', AWS_CONFIG_FILE: '~/aws.cfg' }).configFilepath).toBe('/home/run/aws.cfg');
    });
  });

  it('suggests, for an unusable home, a path the user\'s shell expands, not the process\'s home', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const error = await withProcessEnv({ HOME: '/intruder' }, () => {
      try {
        ensureHome(join(file, 'home'));
      } catch (caught) {
        return caught as { code: string; fix: { suggested: string } };
      }
      throw new Error('ensureHome accepted a path under a file');
    });
    expect(error.code).toBe('HomeUnusable');
    expect(error.fix.suggested).toBe('~/.config/CloudRig');
  });
});

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const RED = '\u001b[31mred\u001b[39m';

/** `rig --help` of a program with one command described in colour, as `env` and `stdoutIsTty` would have it printed. */
function helpText(env: Record<string, string>, stdoutIsTty: boolean): string {
  const stdout = new Collected(stdoutIsTty);
  const program = buildProgram({ stdout, stderr: new Collected(stdoutIsTty), stdinIsTty: false, env }, () => Promise.reject(new Error('not loaded')));
  program.command('paint').description(RED);
  program.outputHelp();
  return stdout.text;
}

describe('rig --help colours', () => {
  it('follows the run\'s NO_COLOR and FORCE_COLOR, not the process\'s', async () => {
    const forced = await withProcessEnv({ NO_COLOR: '1', FORCE_COLOR: undefined }, () => helpText({ FORCE_COLOR: '1' }, false));
    expect(forced).toContain(RED);
    const plain = await withProcessEnv({ NO_COLOR: undefined, FORCE_COLOR: '1' }, () => helpText({ NO_COLOR: '1' }, true));
    expect(plain).toContain('red');
    expect(plain).not.toContain(RED);
  });
});

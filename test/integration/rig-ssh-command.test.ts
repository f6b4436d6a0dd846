import { mkdtemp, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyWorkstation, startRigWorld, type RigWorld } from '../support/rig-harness.js';

// `rig ssh [name] -- CMD…` is `ssh host CMD…`: the words are joined with spaces and the remote
// shell runs that line, through the built `rig`, the system ssh client and a real sshd, against
// moto + the cloud proxy. Nothing of it reaches a local shell or becomes an ssh option.

let world: RigWorld;
let scratch: string;

beforeAll(async () => {
  world = await startRigWorld();
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig-ssh-command-'));
  await world.reset();
  await readyWorkstation(world);
});

afterAll(async () => {
  await world?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('rig ssh errors', () => {
  it('with AWS unreachable, rig ssh says so in one error line, not also in a security-group warning before it', async () => {
    const closed = 'http://127.0.0.1:9';
    const result = await world.rig(['ssh', '--', 'true'], { env: { AWS_ENDPOINT_URL: closed, AWS_ENDPOINT_URL_EC2: closed, AWS_MAX_ATTEMPTS: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: [^\n]+ Fix: [^\n]+\n$/);
    expect(result.stderr).not.toContain('Could not check the security group');
  });
});

describe('rig ssh -- CMD runs CMD in the remote shell, as ssh host CMD does', () => {
  it('the remote shell\'s exit code passes through: `rig ssh -- \'exit 7\'` exits 7', async () => {
    const result = await world.rig(['ssh', '--', 'exit 7']);
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).not.toMatch(/not found|error:/);
  });

  it('a pipe in one quoted word runs on the box: `rig ssh gpu -- \'echo hi | tr a-z A-Z\'` prints HI', async () => {
    const result = await world.rig(['ssh', 'gpu', '--', 'echo hi | tr a-z A-Z']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('HI\n');
  });

  it('&&, ~ and $HOME are the remote shell\'s, whether given as one word or several', async () => {
    const oneWord = await world.rig(['ssh', '--', 'cd ~ && pwd && echo "$HOME"']);
    expect(oneWord.code, oneWord.stderr).toBe(0);
    // The sshd's login user is the user running the tests: its home is this one.
    expect(oneWord.stdout).toBe(`${homedir()}\n${homedir()}\n`);

    const words = await world.rig(['ssh', '--', 'false', '||', 'echo', 'ran-after-false', '&&', 'echo', '~']);
    expect(words.code, words.stderr).toBe(0);
    expect(words.stdout).toBe(`ran-after-false\n${homedir()}\n`);
  });

  it('a failing command\'s own exit code comes back, not ssh\'s', async () => {
    const result = await world.rig(['ssh', '--', 'ls /no/such/path; exit $((40 + 2))']);
    expect(result.code).toBe(42);
  });

  it('nothing reaches a local shell: a variable only rig\'s environment has is not expanded', async () => {
    // sshd passes none of the client's environment on, so only a local shell could see this one.
    const result = await world.rig(['ssh', '--', 'echo "[$RIG_LOCAL_ONLY]"', '$(echo sub)'], { env: { RIG_LOCAL_ONLY: 'local' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('[] sub\n');
  });

  it('a command word starting with - is the remote command, never an ssh option', async () => {
    const marker = join(scratch, 'proxy-command-ran');
    const result = await world.rig(['ssh', '--', `-oProxyCommand=touch ${marker}`]);
    // The remote shell got it (bash refuses it as an option of its own, as it does for `ssh host -- -o…`);
    // ssh itself never took it: no proxy ran here, and the exit code is the shell's, not ssh's 255.
    expect(result.stderr).toMatch(/bash: -\w: invalid option|-oProxyCommand=touch: (command )?not found/);
    expect([0, 255]).not.toContain(result.code);
    await expect(stat(marker)).rejects.toMatchObject({ code: 'ENOENT' });

    const version = await world.rig(['ssh', '--', '-V']);
    expect(version.stderr).not.toMatch(/OpenSSH_/);
    expect([0, 255]).not.toContain(version.code);
  });
});

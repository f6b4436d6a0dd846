import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePins } from '../../src/adapters/ssh/known-hosts.js';
import { SystemTerminal } from '../../src/adapters/terminal/system-terminal.js';
import { sshArgs } from '../../src/core/ssh-command.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';
import { hasXvfb, startXvfb, type Xvfb } from './support/xvfb.js';
import { waitUntil } from '../support/wait-until.js';

// "Open terminal" on Linux, for real: xterm under Xvfb runs the command, and the command's side
// effect (a file it writes, locally or over ssh) is the proof.
const canRun = hasXvfb() && process.platform === 'linux';
if (!canRun) console.log('terminal-xterm: skipped, Xvfb is not installed (apt-get install xvfb xterm)');

let xvfb: Xvfb;
let dir: string;
let env: NodeJS.ProcessEnv;

async function waitForFile(path: string, timeoutMs = 15_000): Promise<string> {
  await waitUntil(`${path} to be written`, () => existsSync(path), timeoutMs, 100);
  return readFile(path, 'utf8');
}

describe.runIf(canRun)('opening a terminal on Linux (Xvfb + xterm)', () => {
  beforeAll(async () => {
    xvfb = await startXvfb();
    dir = await mkdtemp(join(tmpdir(), 'cloudrig-term-'));
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DISPLAY: xvfb.display };
  });

  afterAll(async () => {
    await xvfb?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens xterm running the given command', async () => {
    const proof = join(dir, 'local');
    const app = await new SystemTerminal('linux', env).open(['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', 'ran in xterm', proof], { preferred: 'xterm', title: 'CloudRig: test' });
    expect(app.label).toBe('xterm');
    expect(await waitForFile(proof)).toBe('ran in xterm');
  });

  it('hands hostile values to the command unchanged: nothing in them is run or expanded', async () => {
    const proof = join(dir, 'hostile');
    const owned = join(dir, 'owned');
    const values = [`a&touch ${owned}`, `b|touch ${owned}`, `c;touch ${owned}`, 'say "hi"', "it's", `$(touch ${owned})`, `\`touch ${owned}\``, '%PATH%', '$HOME', `new\ntouch ${owned}`, '-oProxyCommand=x', ''];
    await new SystemTerminal('linux', env).open(['sh', '-c', 'printf "%s\\0" "$@" > "$0"', proof, ...values], { preferred: 'xterm', title: `CloudRig: $(touch ${owned})` });
    expect((await waitForFile(proof)).split('\0').slice(0, -1)).toEqual(values);
    await expect(readFile(owned)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens xterm running the ssh command, which reaches the machine', async () => {
    const key = join(dir, 'key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const publicKey = await readFile(`${key}.pub`, 'utf8');
    const sshd: Sshd = await startSshd({ authorizedKey: publicKey });
    try {
      const proof = join(dir, 'remote');
      const target = { host: sshd.host, port: sshd.port, user: sshd.user, keyPath: key, knownHostsPath: join(dir, 'known_hosts') };
      // ssh checks the host key strictly: pin it first, as CloudRig's probe does before a terminal opens.
      await writePins(target.knownHostsPath, { host: sshd.host, port: sshd.port, keys: [await sshd.hostPublicKey()], instanceId: null, trust: 'unverified' });
      await new SystemTerminal('linux', env).open(['ssh', ...sshArgs(target, ['sh', '-c', `'echo ssh-ok > ${proof}'`])], { preferred: 'xterm', title: 'CloudRig: gpu' });
      expect((await waitForFile(proof)).trim()).toBe('ssh-ok');
    } finally {
      await sshd.close();
    }
  });

  it('picks the first terminal installed when none is chosen', async () => {
    const installed = await new SystemTerminal('linux', env).installed();
    expect(installed.has('xterm')).toBe(true);
  });

  it('says clearly when the chosen terminal is not installed, or none is', async () => {
    await expect(new SystemTerminal('linux', env).open(['true'], { preferred: 'konsole', title: 't' })).rejects.toMatchObject({ code: 'TerminalNotFound' });
    await expect(new SystemTerminal('linux', { ...env, PATH: dir }).open(['true'], { preferred: null, title: 't' })).rejects.toMatchObject({ code: 'NoTerminal' });
  });

  it('reports a terminal that fails to start with its own message', async () => {
    // xterm exits at once (status 1) when it cannot open the display.
    const opening = new SystemTerminal('linux', { ...env, DISPLAY: ':4321' }).open(['true'], { preferred: 'xterm', title: 't' });
    await expect(opening).rejects.toMatchObject({ code: 'TerminalFailed' });
    await expect(opening).rejects.toThrow(/^xterm did not open \(exit 1\): \S/);
  });
});

import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/free-port.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { initArgs, startRigWorld, type RigResult, type RigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// A compromised or broken box must not drive the user's terminal through what it prints. Through
// `rig` against moto + the cloud proxy + a real sshd whose box programs (nvidia-smi, jupyter, the
// login shell, the setup log) print what such a workstation would: a window title (OSC 0 … BEL), a
// screen clear, colour, an 8-bit CSI (U+009B). Each face shows those bytes as escapes; none reaches
// the user's terminal raw. A command that prints without end is ended at the cap with an error that
// says so.

/** What the hostile box prints. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u001b[0m\u009b6n';
/** The same, as rig shows it. */
const SHOWN = '\\e]0;pwned\\x07\\e[2J\\e[31mred\\e[0m\\x9b6n';
/** A character a terminal acts on: ESC, BEL, CSI (C1) or any other C0/C1 control but newline. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const BOX_ADDRESS = '127.0.0.2';

let world: RigWorld;
let stubs: RemoteStubs;
let publicKey: string;
let scratch: string;
let setupDir: string;
let up: RigResult;

beforeAll(async () => {
  world = await startRigWorld();
  stubs = await remoteStubs();
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig-box-output-'));
  await world.reset();
  const script = join(scratch, 'setup.sh');
  await writeFile(script, '#!/bin/bash\necho installing\n');
  const init = await world.rig(initArgs(world, ['--setup', script]));
  expect(init.code, init.stderr).toBe(0);
  publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
  // The box's setup already ran and failed, its log full of escape sequences (the test plays cloud-init).
  setupDir = join(scratch, 'setup');
  await mkdir(setupDir, { recursive: true });
  const bootId = spawnSync('cat', ['/proc/sys/kernel/random/boot_id'], { encoding: 'utf8' }).stdout.trim();
  await writeFile(join(setupDir, 'started'), `${bootId}\n`);
  await writeFile(join(setupDir, 'setup.log'), `installing\n${HOSTILE}\nprogress 10%\r\u001b[Kprogress 99%\n`);
  await writeFile(join(setupDir, 'exit'), '1\n');
  up = await world.rig(['up'], { env: { CLOUDRIG_SETUP_DIR: setupDir } });
});

afterAll(async () => {
  await world?.close();
  await stubs?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Everything `rig` printed, on both streams. */
const printed = (result: RigResult): string => `${result.stdout}${result.stderr}`;

describe('the setup log rig up follows', () => {
  it('shows each log line with its escape sequences and carriage returns as text', () => {
    expect(up.code).not.toBe(0);
    expect(up.stdout).toContain(`setup| ${SHOWN}\n`);
    expect(up.stdout).toContain('setup| progress 10%\\r\\e[Kprogress 99%\n');
    expect(printed(up)).not.toMatch(RAW_CONTROL);
  });

  it('shows the failed script\'s last lines escaped too, above the one error line', () => {
    expect(up.stderr).toContain(`  ${SHOWN}\n`);
    expect(up.stderr).toMatch(/^error: The setup script failed \(exit 1\)\. Instance i-\w+ \(workstation gpu, [^)]*\) is running and billed[^\n]*\. Fix: /m);
  });
});

describe('rig stats on a box whose nvidia-smi prints escape sequences', () => {
  it('quotes a failing nvidia-smi\'s message with its escapes as text', async () => {
    await stubs.nvidiaSmiFails(HOSTILE, 9);
    try {
      const stats = await world.rig(['stats']);
      expect(stats.code, stats.stderr).toBe(0);
      expect(stats.stdout).toContain(`nvidia-smi failed (exit 9): ${SHOWN}.`);
      expect(printed(stats)).not.toMatch(RAW_CONTROL);
    } finally {
      await stubs.clear();
    }
  });

  it('quotes a line that is not nvidia-smi\'s CSV with its escapes as text', async () => {
    await stubs.program('nvidia-smi', `printf '%s\\n' '${HOSTILE}'`);
    try {
      const stats = await world.rig(['stats']);
      expect(stats.code, stats.stderr).toBe(0);
      expect(stats.stdout).toContain(`nvidia-smi printed a line CloudRig cannot read: ${SHOWN}.`);
      expect(printed(stats)).not.toMatch(RAW_CONTROL);
    } finally {
      await stubs.clear();
    }
  });

  it('--json writes every control character as a \\u escape, and a script that parses it gets the box\'s text back', async () => {
    await stubs.nvidiaSmiFails(HOSTILE, 9);
    try {
      const stats = await world.rig(['stats', '--json']);
      expect(stats.code, stats.stderr).toBe(0);
      expect(stats.stdout).not.toMatch(RAW_CONTROL);
      expect(stats.stdout).toContain('\\u009b6n');
      expect((JSON.parse(stats.stdout) as { gpuNote: string }).gpuNote).toBe(`nvidia-smi failed (exit 9): ${HOSTILE}.`);
    } finally {
      await stubs.clear();
    }
  });
});

describe('errors that quote the box', () => {
  it('rig snooze on a box whose shell fails with escape sequences on stderr quotes them as text in its one error line', async () => {
    // A login shell that prints junk and fails (a broken .bashrc, or a hostile box): every exec does.
    await world.sshd.setAuthorizedKey(`command="printf '%s' '${HOSTILE}' >&2; exit 3" ${publicKey.trim()}`);
    try {
      const snooze = await world.rig(['snooze']);
      expect(snooze.code).toBe(1);
      expect(snooze.stderr).toContain(`error: gpu did not take the snooze: ${SHOWN}.`);
      expect(snooze.stderr.trim().split('\n')).toHaveLength(1);
      expect(printed(snooze)).not.toMatch(RAW_CONTROL);
    } finally {
      await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
    }
  });
});

describe('rig jupyter on a box whose server list carries escape sequences', () => {
  it('prints the URL with the path\'s control characters percent-encoded, as a browser would take it', async () => {
    const port = await freePort(BOX_ADDRESS);
    await stubs.jupyterLists([JSON.stringify({ url: `http://${BOX_ADDRESS}:${port}/${HOSTILE}/`, token: `t${HOSTILE}` })]);
    let child: ChildProcess & { output: () => string } | null = null;
    try {
      child = world.spawnRig(['jupyter', '--no-open']);
      const running = child;
      await waitUntil('the Jupyter URL', () => running.output().includes('Press Ctrl-C') || running.exitCode !== null, 30_000);
      const line = running.output().split('\n').find((text) => text.startsWith('Jupyter on gpu: '));
      expect(line, running.output()).toBe(`Jupyter on gpu: http://127.0.0.1:${port}/%1B]0;pwned%07%1B[2J%1B[31mred%1B[0m%C2%9B6n/?token=${encodeURIComponent(`t${HOSTILE}`)}`);
      expect(running.output()).not.toMatch(RAW_CONTROL);
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      await stubs.clear();
    }
  });
});

describe('a box command that prints without end', () => {
  it('is ended at the cap: rig stats fails with one line that says so and how to look, and rig stays small', async () => {
    const pidFile = join(scratch, 'yes.pid');
    await stubs.program('nvidia-smi', `echo $$ > '${pidFile}'\nexec yes`);
    try {
      // A heap far smaller than an unbounded read needs: without the cap this rig died of it
      // ("JavaScript heap out of memory") within seconds.
      const stats = await world.rig(['stats'], { process: true, env: { NODE_OPTIONS: '--max-old-space-size=96' } });
      expect(stats.stderr).toMatch(/^error: A command CloudRig ran on workstation gpu printed more than 8 MiB on its output; CloudRig ended it and read no further\. Fix: See the start of what it prints with `rig ssh gpu -- nvidia-smi \| head -n 40` and fix what makes it print without end\.$/m);
      expect(stats.code).toBe(1);
      expect(stats.stderr.trim().split('\n')).toHaveLength(1);
      // The box's writer was ended with the channel: it does not go on printing to no one.
      const pid = Number(await readFile(pidFile, 'utf8'));
      await waitUntil('the box\'s `yes` to end', () => !alive(pid), 30_000);
    } finally {
      await stubs.clear();
    }
  });
});

describe('a box whose every command floods its error output', () => {
  it('ends a one-shot exec at the cap too: rig snooze fails with one line naming the error output', async () => {
    await world.sshd.setAuthorizedKey(`command="exec yes flood >&2" ${publicKey.trim()}`);
    try {
      const snooze = await world.rig(['snooze'], { process: true, env: { NODE_OPTIONS: '--max-old-space-size=96' } });
      expect(snooze.stderr).toMatch(/^error: gpu did not take the snooze: A command CloudRig ran on workstation gpu printed more than 8 MiB on its error output; CloudRig ended it and read no further\. .* Fix: /m);
      expect(snooze.code).toBe(1);
      expect(snooze.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.js';

// `npm run demo` as a newcomer runs it: the script in a process of its own, its printed `export`
// lines as the whole environment `rig` gets, then the README's commands against it; Ctrl-C ends
// every process it started and deletes its folders.
const ROOT = join(import.meta.dirname, '..', '..');
const RIG = join(ROOT, 'bin', 'rig.js');

let demo: ChildProcess;
let stdout = '';
let stderr = '';
let exited: Promise<number | string>;
let work: string;

/** The environment without this test run's own: no vitest worker, no endpoint, no AWS keys. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|AWS_|CLOUDRIG_)/.test(name)));
}

/** The `export NAME=value` lines the demo printed, unquoted as a shell would. */
function printedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export ([A-Z_][A-Z0-9_]*)=('(?:[^']|'\\'')*'|\S*)$/gm)) {
    const raw = match[2]!;
    env[match[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replaceAll("'\\''", "'") : raw;
  }
  return env;
}

function rig(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RIG, ...args], { env: { ...cleanEnv(), ...printedEnv() }, cwd: work, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err });
    });
  });
}

/** Every process under `pid`, by id (sshd's session processes call setsid, so groups are not enough). */
async function descendants(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cloudrig-demo-test-'));
  demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.mjs')], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  exited = new Promise((resolve) => demo.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await waitUntil('the demo to print its environment', () => {
    if (demo.exitCode !== null) throw new Error(`npm run demo exited ${demo.exitCode}:\n${stderr}`);
    return stdout.includes('# CloudRig demo is ready.');
  }, 60_000, 100);
}, 90_000);

afterAll(async () => {
  // A failed test still lets the demo clean up after itself; SIGKILL only if it does not.
  if (demo.exitCode === null && demo.signalCode === null) {
    demo.kill('SIGINT');
    const guard = setTimeout(() => demo.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(guard);
  }
  await rm(work, { recursive: true, force: true });
}, 30_000);

describe('npm run demo: rig without an AWS account', () => {
  it('prints the environment and the init flags; init, up (with its setup script), push, ssh, stats and down work against it; Ctrl-C ends every process and folder it made', async () => {
    const env = printedEnv();
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['CLOUDRIG_HOME', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']));
    expect(new URL(env.AWS_ENDPOINT_URL!).hostname).toBe('127.0.0.1');
    const init = /^# (rig init --region \S+ --type \S+ --ssh-host 127\.0\.0\.1 --ssh-port \d+ --ssh-user \S+)$/m.exec(stdout)?.[1];
    expect(init, stdout).toBeDefined();

    await writeFile(join(work, 'setup.sh'), '#!/bin/bash\necho "setting up in $HOME"\n');
    await mkdir(join(work, 'project'));
    await writeFile(join(work, 'project', 'train.py'), 'print("hello")\n');

    const initRun = await rig([...init!.split(' ').slice(1), '--setup', 'setup.sh']);
    expect(initRun.code, initRun.stderr).toBe(0);
    const up = await rig(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('its ssh host key is pinned');
    expect(up.stdout).toMatch(/^setup\| setting up in \//m);
    expect(up.stdout).toContain('The setup script finished.');

    const push = await rig(['push', 'project']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain('Copied 1 file');
    const ssh = await rig(['ssh', '--', 'cat', 'project/train.py']);
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout).toContain('print("hello")');
    const stats = await rig(['stats']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^GPU 0: .*busy/m);
    const down = await rig(['down', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Workstation gpu is terminated.');

    const children = await descendants(demo.pid!);
    expect(children.length).toBeGreaterThan(0);
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    // Stopped before the demo exits; a session process reparented to init may take a moment more.
    await waitUntil('the demo\'s processes to be gone', () => children.every((pid) => !alive(pid)), 10_000, 50).catch(() => undefined);
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(env.CLOUDRIG_HOME!)).toBe(false);
    expect(existsSync(env.CLOUDRIG_SETUP_DIR!)).toBe(false);
  }, 90_000);
});

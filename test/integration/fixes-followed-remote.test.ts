import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/free-port.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { followed, fixCommand } from '../support/followed-fix.js';
import { initArgs, startRigWorld, type RigResult, type RigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Each error's `Fix:` followed exactly as printed, for the errors of using a running workstation:
// the ssh config an editor needs, tunnels, Jupyter, and commands on the box that hang, print
// without end or lose their connection. The first runnable command is taken out of the error line
// and run (a shell command through a shell, as pasted); the next run then gets further. Against
// moto + the cloud proxy + sshd (programs the box has and this machine lacks are remote stubs),
// through the CLI. One ready workstation for the file.

const ROOT = join(import.meta.dirname, '..', '..');
const CSV = join(ROOT, 'test', 'fixtures', 'nvidia-smi', 'g4dn-xlarge-1-gpu.csv');
/** The "instance" side's loopback address: nothing of CloudRig's listens there, sshd reaches it. */
const BOX_ADDRESS = '127.0.0.2';
const run = promisify(execFile);

let world: RigWorld;
let stubs: RemoteStubs;
/** A folder with a space in its name, as a home on another system may have. */
let scratch: string;
/** A `rig` on PATH for the shell that runs a pasted fix. */
let rigBin: string;

beforeAll(async () => {
  world = await startRigWorld();
  stubs = await remoteStubs();
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig followed '));
  rigBin = join(scratch, 'bin');
  await mkdir(rigBin);
  await writeFile(join(rigBin, 'rig'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'bin', 'rig.js')}' "$@"\n`, { mode: 0o755 });
  await world.reset();
  ok(await world.rig(initArgs(world)));
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
  ok(await world.rig(['up']));
});

afterAll(async () => {
  await world?.close();
  await stubs?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** The error line of a run that must fail with exit 1. */
function failed(result: RigResult): string {
  expect(result.code, result.stdout).toBe(1);
  return result.stderr;
}

/** Runs a shell command line as a user pasting it does (`rig` on PATH, this world's home). */
async function pasted(line: string, env: NodeJS.ProcessEnv = {}): Promise<RigResult> {
  try {
    const { stdout, stderr } = await run('/bin/sh', ['-c', line], {
      env: { ...world.env, CLOUDRIG_HOME: world.home, ...env, PATH: `${rigBin}:${env.PATH ?? process.env.PATH ?? ''}` },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The first shell command in backticks in the error's Fix that is not a `rig` command. */
function shellCommand(stderr: string): string {
  const fix = /Fix: (.*)$/m.exec(stderr)?.[1] ?? '';
  const command = [...fix.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).find((c) => !c.startsWith('rig '));
  expect(command, `no shell command in the fix of: ${stderr}`).toBeDefined();
  return command!;
}

/** An HTTP server on the box's own loopback address. */
async function boxServer(port: number): Promise<Server> {
  const server = createServer((_request, response) => response.end('box answered'));
  await new Promise<void>((resolve) => server.listen(port, BOX_ADDRESS, resolve));
  return server;
}

/**
 * `rig stats` with nvidia-smi on the box running `body` fails with `error`, whose printed `rig
 * status gpu` shows that the box answers ssh; with nvidia-smi fixed, the next `rig stats` reads the GPU.
 */
async function statsFailsOnTheBox(body: string, error: RegExp): Promise<void> {
  await stubs.program('nvidia-smi', body);
  try {
    const stderr = failed(await world.rig(['stats']));
    expect(stderr).toMatch(error);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['status', 'gpu']);
    expect(ok(await world.rig(fix)).stdout).toMatch(/ssh answers|ready/);
    await stubs.nvidiaSmiPrints(CSV);
    expect(ok(await world.rig(['stats'])).stdout).toMatch(/^GPU 0: /m);
  } finally {
    await stubs.clear();
  }
}

describe('a fix followed as printed gets the command further (using the box)', () => {
  it(followed('SshConfigNotIncluded', 'rig code before the Include line: the printed ssh-config --install adds it, and the printed rig code opens the editor'), async () => {
    const userConfig = join(scratch, 'ssh config');
    await writeFile(userConfig, 'Host work\n  HostName work.example.com\n');
    const editors = join(scratch, 'editors');
    await mkdir(editors, { recursive: true });
    // The editor's command-line launcher (VS Code is not here): records how it was asked to open.
    await writeFile(join(editors, 'code'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(scratch, 'code-argv')}'\n`, { mode: 0o755 });
    const env = { CLOUDRIG_SSH_CONFIG: userConfig, PATH: `${editors}:${process.env.PATH ?? ''}` };

    const stderr = failed(await world.rig(['code'], { env }));
    expect(stderr).toMatch(/^error: The editor reaches gpu as `ssh gpu`, which needs CloudRig's ssh config included/m);
    const install = fixCommand(stderr);
    expect(install).toEqual(['ssh-config', '--install']);
    ok(await world.rig(install, { env }));
    expect(await readFile(userConfig, 'utf8')).toMatch(/^Include "/);
    const again = fixCommand(stderr, 1);
    expect(again).toEqual(['code']);
    const opened = ok(await world.rig(again, { env }));
    expect(opened.stdout).toMatch(/^Opened vscode-remote:\/\/ssh-remote\+gpu\/\S* in VS Code\.$/m);
    expect((await readFile(join(scratch, 'code-argv'), 'utf8')).split('\n')[0]).toBe('--folder-uri');
  });

  it(followed('SshConfigReadOnly', 'a read-only ssh config in a folder with a space: the printed chmod, pasted, makes it writable, and the printed ssh-config --install adds the line'), async () => {
    const userConfig = join(scratch, 'read only', 'config');
    await mkdir(join(scratch, 'read only'), { recursive: true });
    await writeFile(userConfig, 'Host work\n  HostName work.example.com\n');
    await chmod(userConfig, 0o444);
    const env = { CLOUDRIG_SSH_CONFIG: userConfig };

    const stderr = failed(await world.rig(['ssh-config', '--install'], { env }));
    expect(stderr).toMatch(/is read-only \(mode 0444\); CloudRig leaves it as it is\./);
    const chmodLine = shellCommand(stderr);
    expect(chmodLine).toMatch(/^chmod u\+w /);
    ok(await pasted(chmodLine, env));
    const install = fixCommand(stderr);
    expect(install).toEqual(['ssh-config', '--install']);
    ok(await world.rig(install, { env }));
    expect(await readFile(userConfig, 'utf8')).toMatch(/^Include "[^\n]*"\n\nHost work\n|^Include "[^\n]*"\nHost work\n/);
  });

  it(followed('TunnelRefused', 'a tunnel to a port nothing listens on: the printed rig ssh gpu -- ss -ltn lists what does, and once the server listens the same tunnel carries a request'), async () => {
    const local = await freePort();
    const remote = await freePort(BOX_ADDRESS);
    const tunnel = world.spawnRig(['tunnel', `${local}:${BOX_ADDRESS}:${remote}`]);
    const closed = new Promise<number | null>((resolve) => tunnel.once('close', resolve));
    let server: Server | undefined;
    try {
      await waitUntil('the tunnel to listen', () => tunnel.output().includes('Press Ctrl-C'));
      await fetch(`http://127.0.0.1:${local}/`).catch(() => undefined);
      await waitUntil('the refused forward', () => tunnel.output().includes('Fix: '));
      const warning = tunnel.output().split('\n').find((line) => line.includes('Fix: '))!;
      expect(warning).toMatch(new RegExp(`^warning: .* could not reach ${BOX_ADDRESS}:${remote}`));
      const fix = fixCommand(warning);
      expect(fix).toEqual(['ssh', 'gpu', '--', 'ss', '-ltn']);
      expect(ok(await world.rig(fix)).stdout).not.toContain(`${BOX_ADDRESS}:${remote} `);

      server = await boxServer(remote);
      expect(ok(await world.rig(fix)).stdout).toContain(`${BOX_ADDRESS}:${remote} `);
      const answer = await fetch(`http://127.0.0.1:${local}/`);
      expect(await answer.text()).toBe('box answered');
    } finally {
      tunnel.kill('SIGINT');
      await closed;
      server?.close();
    }
  });

  it(followed('NoJupyter', 'rig jupyter with no server: the printed rig ssh starts one, and the printed rig jupyter forwards it'), async () => {
    const port = await freePort(BOX_ADDRESS);
    const running = join(stubs.dir, 'jupyter-running');
    // Jupyter on the box: `lab` serves until its stdin closes (the ssh session ends) and lists itself
    // while it runs; on the port it was given when free, else on another, as Jupyter moves on.
    await stubs.program('jupyter', [
      'case "$1" in',
      `  lab) printf '%s\\n' "$*" > '${running}.argv'`,
      `       printf '%s\\n' '${JSON.stringify({ base_url: '/', hostname: BOX_ADDRESS, pid: 1, port, root_dir: '/', secure: false, token: 't0ken', url: `http://${BOX_ADDRESS}:${port}/` })}' > '${running}'`,
      `       python3 -c 'import http.server, sys, threading; s = http.server.HTTPServer(("${BOX_ADDRESS}", ${port}), http.server.SimpleHTTPRequestHandler); threading.Thread(target=s.serve_forever, daemon=True).start(); sys.stdin.read()'`,
      `       rm -f '${running}' ;;`,
      `  server) [ "$2 $3" = "list --json" ] && [ -f '${running}' ] && cat '${running}' ;;`,
      'esac',
    ].join('\n'));
    let lab: ReturnType<RigWorld['spawnRig']> | undefined;
    let jupyter: ReturnType<RigWorld['spawnRig']> | undefined;
    try {
      const stderr = failed(await world.rig(['jupyter', '--no-open']));
      expect(stderr).toMatch(/^error: No Jupyter server is running on workstation gpu\./m);
      const start = fixCommand(stderr);
      expect(start).toEqual(['ssh', 'gpu', '--', 'jupyter', 'lab', '--no-browser', '--port', '8888']);
      lab = world.spawnRig(start);
      await waitUntil('Jupyter to run on the box', async () => (await readFile(running, 'utf8').catch(() => '')) !== '');
      expect(await readFile(`${running}.argv`, 'utf8')).toBe('lab --no-browser --port 8888\n');
      const again = fixCommand(stderr, 1);
      expect(again).toEqual(['jupyter', 'gpu']);
      jupyter = world.spawnRig([...again, '--no-open']);
      await waitUntil('the Jupyter URL', () => jupyter!.output().includes('Press Ctrl-C'));
      expect(jupyter.output()).toMatch(/^Jupyter on gpu: http:\/\/127\.0\.0\.1:\d+\/\?token=t0ken$/m);
    } finally {
      jupyter?.kill('SIGINT');
      // Its stdin closed, the ssh session ends and Jupyter with it.
      lab?.stdin?.end();
      if (lab) await new Promise((resolve) => (lab!.exitCode !== null ? resolve(null) : lab!.once('close', resolve)));
      await stubs.clear();
    }
  });

  it(followed('SshOutputTooLarge', 'nvidia-smi printing without end: the printed rig ssh … | head, pasted, shows its start, and once it is fixed rig stats reads the GPU'), async () => {
    await stubs.program('nvidia-smi', 'exec yes "NVIDIA-SMI has failed, retrying"');
    try {
      const stderr = failed(await world.rig(['stats']));
      expect(stderr).toMatch(/printed more than 8 MiB on its output; CloudRig ended it and read no further\./);
      const line = /`(rig ssh [^`]+)`/.exec(/Fix: (.*)$/m.exec(stderr)![1]!)![1]!;
      expect(line).toBe('rig ssh gpu -- nvidia-smi | head -n 40');
      const seen = ok(await pasted(line));
      expect(seen.stdout.split('\n')).toEqual([...Array<string>(40).fill('NVIDIA-SMI has failed, retrying'), '']);
      await stubs.nvidiaSmiPrints(CSV);
      expect(ok(await world.rig(['stats'])).stdout).toMatch(/^GPU 0: /m);
    } finally {
      await stubs.clear();
    }
  });

  it(followed('SshCommandTimeout', 'nvidia-smi that hangs: the printed rig status shows the box answers, and once it is fixed rig stats reads the GPU'), async () => {
    // Hangs until its channel closes (stdin ends), as a driver stuck in a call does until killed.
    await statsFailsOnTheBox('cat > /dev/null', /^error: The command on workstation gpu did not finish within 20 s\./m);
  }, 90_000);

  it(followed('SshFailed', 'the connection broken under a command: the printed rig status shows the box answers, and the next rig stats reads the GPU'), async () => {
    // The box drops the connection: nvidia-smi kills the sshd process serving it (the session's shell's parent).
    await statsFailsOnTheBox('kill -9 "$(ps -o ppid= -p "$PPID" | tr -d " ")"', /^error: The ssh connection to workstation gpu broke/m);
  });
});

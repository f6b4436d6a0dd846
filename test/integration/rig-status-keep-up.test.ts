import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJupyterStub, stubKernel, type JupyterStub } from '../fixtures/jupyter-stub.js';
import { Machine } from '../fixtures/watchdog-machine.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { readyOnMachine } from '../support/watchdog-box.js';
import { loginsDuring } from '../support/ssh-logins.js';

// `rig status` says which signal keeps a running workstation up, as the box's watchdog saw it at its
// last check. The box: the sshd fixture, whose commands for the workstation's key run with the
// scratch machine's run directory (CLOUDRIG_RUN_DIR, where the check writes); the check itself runs
// for real on that machine, with a Jupyter-like server on it, at the real time.

const world = useRigWorld({ eachTest: { init: false } });
let machine: Machine;
let server: JupyterStub | null = null;

beforeEach(async () => {
  machine = new Machine(60);
  machine.now = Math.floor(Date.now() / 1000);
  await readyOnMachine(world, machine);
});

afterEach(async () => {
  await server?.stop();
  server = null;
  machine.cleanUp();
});

async function status(): Promise<{ text: string; json: Record<string, unknown> }> {
  const text = await world.rig(['status']);
  const json = await world.rig(['status', '--json']);
  expect(text.code, text.stderr).toBe(0);
  expect(json.code, json.stderr).toBe(0);
  return { text: text.stdout, json: JSON.parse(json.stdout) as Record<string, unknown> };
}

describe('rig status says what keeps the box up', () => {
  it('a busy notebook kernel: "Kept up: kernel busy."; once it is idle, how long the box has been idle', async () => {
    server = await startJupyterStub({ runtimeDir: machine.jupyterRuntimeDir, token: 'status-test-token' });
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    machine.check();

    const busy = await status();
    expect(busy.text).toMatch(/^Stops itself after 60 idle minutes\.\nKept up: kernel busy\.$/m);
    expect(busy.json).toMatchObject({ keptUpBy: 'kernel busy', idleSince: null });

    await server.kernels([stubKernel('train', 'idle', machine.now)]);
    machine.check();
    const idle = await status();
    const readBy = Date.now();
    expect(idle.text).not.toContain('Kept up');
    expect(idle.text).toMatch(/^Idle for \d+ min\.$/m);
    expect(idle.json).toMatchObject({ keptUpBy: null });
    // The box's clock (seconds), read back as a local time: no earlier than the box's idle check,
    // no later than the status that reported it. (When the busy reading came after the box's check,
    // the stretch starts at the next reading, which a loaded machine may take more than a second to
    // make: a fixed tolerance around the box's clock was flaky.) A unit or time-zone slip is hours off.
    const idleSince = Date.parse(String(idle.json.idleSince));
    expect(idleSince).toBeGreaterThanOrEqual(machine.now * 1000 - 1_000);
    expect(idleSince).toBeLessThanOrEqual(readBy);
  });

  it('with several workstations, each line and JSON entry of a running one says it too', async () => {
    expect((await world.rig(initArgs(world, ['--name', 'other']))).code).toBe(0);
    machine.gpus([87]);
    machine.check();
    const text = await world.rig(['status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^gpu\s+ready .* {2}kept up: GPU 87 %$/m);
    expect(text.stdout).toMatch(/^other\s+no instance\b/m);
    const json = await world.rig(['status', '--json']);
    const entries = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(entries.find((entry) => entry.name === 'gpu')).toMatchObject({ keptUpBy: 'GPU 87 %', idleSince: null });
    expect(entries.find((entry) => entry.name === 'other')).not.toHaveProperty('keptUpBy');
  });

  it('a GPU at work and a lasting ssh session, each in its words', async () => {
    machine.gpus([87]);
    machine.check();
    expect((await status()).text).toMatch(/^Kept up: GPU 87 %\.$/m);

    machine.gpus([0]);
    machine.ss('0 0 10.0.0.5:22 198.51.100.7:50022\n');
    machine.runFor(2);
    const ssh = await status();
    expect(ssh.text).toMatch(/^Kept up: ssh session from 198\.51\.100\.7\.$/m);
    expect(ssh.json).toMatchObject({ keptUpBy: 'ssh session from 198.51.100.7' });
  });
});

describe('rig status asks the box once', () => {
  it('the watchdog\'s answer comes over the connection that proved ssh: one login on the box, and the answer is shown', async () => {
    machine.gpus([87]);
    machine.check();
    // The first status records the accepted run; the next one starts its probe early on that record.
    expect((await world.rig(['status'])).code).toBe(0);
    const status = await loginsDuring(world.sshd, join(world.home, 'keys', 'cloudrig-gpu.pem'), () => world.rig(['status', '--json'], { process: true }));
    expect(status.result.code, status.result.stderr).toBe(0);
    expect(JSON.parse(status.result.stdout)).toMatchObject({ phase: 'ready', keptUpBy: 'GPU 87 %' });
    expect(status.logins).toBe(1);
  });

});

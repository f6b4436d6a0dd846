import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import type { AppView } from '../../src/shared/views.js';
import { startJupyterStub, stubKernel, type JupyterStub } from '../fixtures/jupyter-stub.js';
import { Machine } from '../fixtures/watchdog-machine.js';
import { appOn, useApps } from '../support/app-harness.js';
import { useRigWorld } from '../support/rig-harness.js';
import { readyOnMachine } from '../support/watchdog-box.js';
import { waitUntil } from '../support/wait-until.js';

// The popover says which signal keeps a running workstation up, read through the renderer's own IPC
// handler (view:get). The box: the sshd fixture, whose commands for the workstation's key run with
// the scratch machine's run directory (CLOUDRIG_RUN_DIR), where the watchdog's check, run for real
// with a Jupyter-like server on the machine, writes what it saw. The app asks the watchdog over ssh
// once the workstation is ready.

const world = useRigWorld({ eachTest: { init: false } });
const start = useApps();
let machine: Machine;
let server: JupyterStub | null = null;

beforeEach(() => {
  machine = new Machine(60);
  machine.now = Math.floor(Date.now() / 1000);
});

afterEach(async () => {
  await server?.stop();
  server = null;
  machine.cleanUp();
});

describe("the popover says what keeps the box up", () => {
  it('a busy notebook kernel with nobody logged in: "Kept up: kernel busy"', async () => {
    server = await startJupyterStub({ runtimeDir: machine.jupyterRuntimeDir, token: 'app-test-token' });
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    machine.check();
    expect(machine.busyReason()).toBe('kernel busy');

    await readyOnMachine(world, machine);

    const app = start(appOn(world));
    const handlers = ipcHandlers(app.session, async () => undefined);
    const view = async (): Promise<AppView> => (await handlers['view:get'](undefined)) as AppView;
    await waitUntil('the watchdog\'s answer in the popover', async () => (await view()).workstation?.autoStop?.startsWith('Kept up') ?? false)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; the popover says "${(await view()).workstation?.autoStop}"`);
      });
    expect((await view()).workstation?.autoStop).toBe('Kept up: kernel busy; stops itself after 60 idle min');
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppSession } from '../../src/core/app/app-session.js';
import type { FolderPicker } from '../../src/core/app/shell-ports.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import type { AppView, ConnectView } from '../../src/shared/views.js';
import { freePort } from '../fixtures/free-port.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { testSessionPorts } from '../support/app-ports.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// The app remembers a push folder and tunnels, so a Start brings the user's set-up back. Against
// moto + the cloud proxy + a real sshd: a push folder chosen through the folder dialog goes to the box
// over sftp when the workstation becomes ready (once per run; the next start finds nothing to
// copy); a folder that is gone says so and how to fix it; a tunnel marked "Re-open on start" is
// open again after Stop and Start, or after the app starts again, on the same local port, and one
// not marked is not; a taken port is named.

/** The "instance" side's loopback address: nothing of CloudRig's listens there, sshd reaches it. */
const BOX_ADDRESS = '127.0.0.2';

/** The system folder dialog, answered by the test: each answer is the folder picked, or null for Cancel. */
class FakeFolderPicker implements FolderPicker {
  readonly answers: Array<string | null> = [];
  readonly asked: Array<{ title: string; defaultPath: string | null }> = [];
  async pickFolder(options: { readonly title: string; readonly defaultPath: string | null }): Promise<string | null> {
    this.asked.push({ ...options });
    return this.answers.shift() ?? null;
  }
}

const world = useRigWorld({ eachTest: { init: false } });
let stubs: RemoteStubs;
let scratch: string;
let app: AppSession | null = null;
const picker = new FakeFolderPicker();

beforeAll(async () => {
  stubs = await remoteStubs();
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig-app-push-'));
});

afterEach(async () => {
  await app?.dispose();
  app = null;
  picker.answers.length = 0;
  picker.asked.length = 0;
});

afterAll(async () => {
  await stubs?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** waitUntil with this file's deadline (150 s). */
const waitFor = (what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 150_000): Promise<void> => waitUntil(what, condition, timeoutMs);

/** The tray app's controller on this world's home, with the folder dialog double. */
function newApp(): AppSession {
  const session = new AppSession(testSessionPorts(world, { openExternal: async () => undefined, folderPicker: picker }));
  session.start();
  return session;
}

/** `rig init`, with the workstation key let in by sshd (`withStubs`: exec runs with the jupyter stub on PATH). */
async function initWorld(withStubs = false): Promise<void> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(withStubs ? stubs.authorizedKeyLine(publicKey) : publicKey);
}

const connectOf = (session: AppSession): Partial<ConnectView> => session.view().connect ?? {};
const phaseOf = (session: AppSession): string | undefined => session.view().workstation?.phase;

async function startAndWaitReady(session: AppSession): Promise<void> {
  session.startWorkstation();
  await session.settled();
  expect(session.view().workstation?.error ?? null).toBeNull();
  await waitFor('the workstation to be ready', () => phaseOf(session) === 'ready');
}

async function stopAndWaitStopped(session: AppSession): Promise<void> {
  session.stopWorkstation();
  await session.settled();
  await waitFor('the workstation to be stopped', () => phaseOf(session) === 'stopped');
}

/** A small project: two files, one executable, one in a subfolder, plus what is never pushed. */
async function makeProject(name: string): Promise<string> {
  const project = join(scratch, name);
  await mkdir(join(project, 'src'), { recursive: true });
  await mkdir(join(project, '.git'), { recursive: true });
  await writeFile(join(project, 'train.py'), 'print("training")\n');
  await writeFile(join(project, 'src', 'model.py'), 'MODEL = 1\n');
  await writeFile(join(project, '.gitignore'), '*.log\n');
  await writeFile(join(project, 'debug.log'), 'noise\n');
  await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  return project;
}

/** Every file under `root` (relative path → content). */
async function filesOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(root.length + 1)] = await readFile(path, 'utf8');
  }
  return out;
}

/** An HTTP server on the "instance" side's loopback only. */
async function boxServer(answer: string): Promise<{ server: Server; port: number }> {
  const server = createHttpServer((_request, response) => response.end(answer));
  const port = await freePort(BOX_ADDRESS);
  await new Promise<void>((resolve) => server.listen(port, BOX_ADDRESS, resolve));
  return { server, port };
}

/** Each test starts (and some stop and start again) a workstation: minutes on a loaded machine. */
const SLOW = 300_000;

const jupyterListing = (port: number): string => JSON.stringify({ hostname: BOX_ADDRESS, port, token: 's3cret', url: `http://${BOX_ADDRESS}:${port}/`, base_url: '/' });

describe('the push folder', () => {
  it('is chosen with the folder dialog; Push on start sends the tree over sftp when the workstation is ready, and the next start copies nothing', async () => {
    await initWorld();
    const project = await makeProject('model');
    const onBox = join(scratch, 'on-the-box', 'model');
    const session = (app = newApp());
    // The connect section (and its push folder) comes with the first look at the workstation.
    await waitFor('the first snapshot', () => session.view().connect !== undefined);

    picker.answers.push(project);
    await session.chooseProjectFolder();
    expect(picker.asked).toEqual([{ title: 'Folder to push to gpu', defaultPath: null }]);
    expect(connectOf(session).project).toMatchObject({ local: project, remote: '~/model', pushOnStart: false, result: null, canPush: false });
    session.updateProjectFolder({ pushOnStart: true, remote: onBox });
    // Kept in the settings file, per workstation.
    const saved = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { projectFolders: unknown };
    expect(saved.projectFolders).toEqual({ gpu: { local: project, remote: onBox, pushOnStart: true } });

    const progress: string[] = [];
    session.onDidChangeView((view: AppView) => {
      const text = view.connect?.project?.progress?.text;
      if (text && progress.at(-1) !== text) progress.push(text);
    });
    await startAndWaitReady(session);
    await waitFor('the push on start', () => connectOf(session).project?.result != null);
    expect(connectOf(session).project).toMatchObject({ result: 'Pushed 3 files (34 B)', error: null, progress: null, canPush: true });
    expect(progress[0]).toBe('Comparing…');
    expect(await filesOf(onBox)).toEqual({ '.gitignore': '*.log\n', 'train.py': 'print("training")\n', 'src/model.py': 'MODEL = 1\n' });
    const firstTime = (await stat(join(onBox, 'train.py'))).mtimeMs;

    await stopAndWaitStopped(session);
    await startAndWaitReady(session);
    await waitFor('the push on the second start', () => connectOf(session).project?.result?.startsWith('Up to date') ?? false);
    expect(connectOf(session).project?.result).toBe('Up to date (3 files unchanged)');
    expect((await stat(join(onBox, 'train.py'))).mtimeMs).toBe(firstTime);

    // Push now copies an edit, and only that.
    await writeFile(join(project, 'train.py'), 'print("training, longer")\n');
    await session.pushProjectNow();
    expect(connectOf(session).project?.result).toBe('Pushed 1 file (26 B), 2 unchanged');
    expect(await readFile(join(onBox, 'train.py'), 'utf8')).toBe('print("training, longer")\n');
  }, SLOW);

  it('a folder that no longer exists is named with how to fix it, and nothing else breaks', async () => {
    await initWorld();
    const project = await makeProject('gone');
    const session = (app = newApp());
    picker.answers.push(project);
    await session.chooseProjectFolder();
    session.updateProjectFolder({ pushOnStart: true, remote: join(scratch, 'on-the-box', 'gone') });
    await rm(project, { recursive: true });

    await startAndWaitReady(session);
    await waitFor('the push on start to fail', () => connectOf(session).project?.error != null);
    const error = connectOf(session).project!.error!;
    expect(error).toMatchObject({ code: 'FolderMissing', message: `The push folder ${project} no longer exists.`, fix: { action: 'choose-push-folder', path: project } });
    expect(appFix(error.fix)).toBe(`Put ${project} back, or press Change… under "Push folder" in the popover to choose another one.`);
    // The workstation and the rest of the connect section carry on.
    expect(session.view().workstation).toMatchObject({ phase: 'ready', error: null });
    const tunnel = await session.openTensorBoard();
    expect(connectOf(session).tunnels?.map((t) => t.localPort)).toEqual([tunnel.localPort]);
    await expect(session.pushProjectNow()).rejects.toMatchObject({ code: 'FolderMissing' });

    // Change… to a folder that exists mends it (Cancel changes nothing).
    await session.chooseProjectFolder();
    expect(connectOf(session).project?.local).toBe(project);
    const again = await makeProject('found');
    picker.answers.push(again);
    await session.chooseProjectFolder();
    expect(picker.asked.at(-1)).toEqual({ title: 'Folder to push to gpu', defaultPath: project });
    expect(connectOf(session).project).toMatchObject({ local: again, remote: '~/found', error: null });
  }, SLOW);
});

describe('tunnels marked "Re-open on start"', () => {
  it('open again on the same local port after Stop and Start and carry a request to the box; one not marked does not', async () => {
    const box = await boxServer('hello from the box');
    try {
      await stubs.jupyterLists([jupyterListing(box.port)]);
      await initWorld(true);
      const session = (app = newApp());
      await startAndWaitReady(session);

      const jupyter = await session.openJupyter();
      const tensorboard = await session.openTensorBoard();
      session.setTunnelReopen(jupyter.localPort, true);
      expect(connectOf(session).tunnels?.map((t) => [t.label, t.reopen])).toEqual([['jupyter', true], ['tensorboard', false]]);
      const saved = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { reopenTunnels: unknown };
      expect(saved.reopenTunnels).toEqual({ gpu: [{ label: 'jupyter', localPort: jupyter.localPort, remoteHost: BOX_ADDRESS, remotePort: box.port }] });

      await stopAndWaitStopped(session);
      // Tunnels still close on Stop.
      await waitFor('the tunnels to close', () => connectOf(session).tunnels?.length === 0);
      await expect(fetch(`http://127.0.0.1:${jupyter.localPort}/`)).rejects.toThrow();

      await startAndWaitReady(session);
      await waitFor('the marked tunnel to re-open', () => (connectOf(session).tunnels?.length ?? 0) > 0);
      expect(connectOf(session).tunnels).toEqual([{ label: 'jupyter', localPort: jupyter.localPort, remotePort: box.port, url: `http://127.0.0.1:${jupyter.localPort}/`, reopen: true }]);
      expect(await (await fetch(`http://127.0.0.1:${jupyter.localPort}/`)).text()).toBe('hello from the box');
      await expect(fetch(`http://127.0.0.1:${tensorboard.localPort}/`)).rejects.toThrow();
      expect(connectOf(session).reopenProblems).toEqual([]);

      // Closed by hand, it is no longer re-opened.
      await session.closeTunnel(jupyter.localPort);
      expect(JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')).reopenTunnels).toEqual({});
    } finally {
      box.server.close();
    }
  }, SLOW);

  it('open again when the app starts again; a port now taken is named and the others still open', async () => {
    const box = await boxServer('hello again');
    const blocker = createTcpServer();
    try {
      await stubs.jupyterLists([jupyterListing(box.port)]);
      await initWorld(true);
      let session = (app = newApp());
      await startAndWaitReady(session);
      const jupyter = await session.openJupyter();
      const custom = await session.openCustomTunnel(await freePort(), box.port + 0);
      session.setTunnelReopen(jupyter.localPort, true);
      session.setTunnelReopen(custom.localPort, true);

      // Quit the app (the instance keeps running); something else takes the custom tunnel's port.
      await session.dispose();
      app = null;
      await new Promise<void>((resolve) => blocker.listen(custom.localPort, '127.0.0.1', resolve));

      session = app = newApp();
      await waitFor('the workstation to be ready', () => phaseOf(session) === 'ready');
      await waitFor('the re-open to finish', () => (connectOf(session).tunnels?.length ?? 0) > 0 && (connectOf(session).reopenProblems?.length ?? 0) > 0);
      expect(connectOf(session).tunnels?.map((t) => t.localPort)).toEqual([jupyter.localPort]);
      expect(await (await fetch(`http://127.0.0.1:${jupyter.localPort}/`)).text()).toBe('hello again');
      const [problem] = connectOf(session).reopenProblems!;
      expect(problem).toMatchObject({ label: `port ${box.port}`, localPort: custom.localPort });
      expect(problem!.error.message).toBe(`Could not re-open the port ${box.port} tunnel: port ${custom.localPort} is in use on this computer.`);
      expect(appFix(problem!.error.fix)).toContain(`Close what uses port ${custom.localPort} here`);

      // Forget drops the mark and the problem.
      session.setTunnelReopen(custom.localPort, false);
      expect(connectOf(session).reopenProblems).toEqual([]);
      expect(session.view().workstation?.error ?? null).toBeNull();
    } finally {
      blocker.close();
      box.server.close();
    }
  }, SLOW);
});

import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DescribeImagesCommand, DescribeKeyPairsCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { untilKillPoint } from '../support/kill-point.js';

/**
 * kill -9 of `rig` at each step of launch, of save-image-then-terminate and of init; then the same
 * command again, and the state in AWS (moto) must have converged: nothing lost, one instance, no
 * second image, no untagged snapshot, no stuck key pair. Each kill point is reached by waiting for
 * a condition (a proxy count, an applied request, a line of rig's output), never by sleeping.
 */
const world = useRigWorld({ hold: { pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: 500 } });

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);
/** How long the proxy holds a request or its answer at a kill point: far longer than reaching it takes. */
const HOLD_MS = 8_000;

interface Row {
  readonly step: string;
  readonly rerun: string;
  readonly instances: number;
  readonly images: number;
  readonly untaggedSnapshots: number;
  readonly keyPair: string;
  readonly passed: boolean;
}
const rows: Row[] = [];
/** Snapshots moto has before a case starts (those of its stock AMIs): only newer ones are CloudRig's doing. */
let snapshotsBefore = new Set<string>();

async function snapshotIds(ec2: EC2Client): Promise<{ SnapshotId?: string; Tags?: { Key?: string; Value?: string }[] }[]> {
  return (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
}

afterAll(async ({}, file) => {
  const passed = rows.filter((r) => r.passed).length;
  await writeReliabilitySection('kill-tests', file, [
    `${rows.length} kill points, ${passed} converged. Each row: \`rig\` (or, for "app core" rows, the app's core running its Start use case in a child process) killed with SIGKILL at the step, the same command run again, then AWS (moto behind the cloud proxy) inspected.`,
    '',
    markdownTable(
      ['step killed', 'rerun outcome', 'live instances after', 'images after', 'untagged snapshots', 'key pair', 'passed'],
      rows.map((r) => [r.step, r.rerun, r.instances, r.images, r.untaggedSnapshots, r.keyPair, r.passed ? 'yes' : 'NO']),
    ),
  ].join('\n'));
});

/** Starts `rig args`, waits for the kill point, and kills it with SIGKILL. */
async function killAt(args: readonly string[], what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const child = world.spawnRig(args);
  await untilKillPoint(what, condition, child);
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  expect(child.signalCode, `rig finished before being killed at ${what}`).toBe('SIGKILL');
}

/** What AWS holds for workstation gpu now. */
async function inspect() {
  const ec2 = world.ec2();
  try {
    const live = (await world.instances()).filter((i) => LIVE.has(i.State?.Name ?? ''));
    const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }] }))).Images ?? [];
    // Every snapshot made since the case started (an image's, even of an image since lost) must carry CloudRig's tags.
    const untagged = (await snapshotIds(ec2)).filter((s) => !snapshotsBefore.has(s.SnapshotId ?? '')
      && !(s.Tags ?? []).some((t) => t.Key === 'cloudrig:managed' && t.Value === 'true'));
    const keyPairs = (await ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: ['cloudrig-gpu'] }] }))).KeyPairs ?? [];
    const localKey = await access(join(world.home, 'keys', 'cloudrig-gpu.pem')).then(() => true, () => false);
    return { live, images, untagged, keyPair: keyPairs.length === 1 && localKey ? 'in AWS and local' : `AWS ${keyPairs.length}, local ${localKey ? 'yes' : 'no'}` };
  } finally {
    ec2.destroy();
  }
}

function outcome(result: RigResult): string {
  const last = result.stderr.trim().split('\n').filter((l) => l.startsWith('error:') || l.startsWith('✔')).at(-1) ?? '';
  // Ids and paths differ per run: the table shows the outcome, not them.
  const plain = last.replace(/\/tmp\/\S+/g, '<home>').replace(/\bi-[0-9a-f]+/g, 'i-…').replace(/\bami-[0-9a-f]+/g, 'ami-…');
  return `exit ${result.code}${plain ? `: ${plain}` : ''}`;
}

async function freshWorld(options: { init: boolean; up?: boolean }): Promise<void> {
  await world.reset();
  world.cloud.proxy.setHold({ pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: 500 });
  if (options.init) {
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    await world.trustWorkstationKey();
  }
  if (options.up) {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
  }
  const ec2 = world.ec2();
  snapshotsBefore = new Set((await snapshotIds(ec2)).map((s) => s.SnapshotId ?? ''));
  ec2.destroy();
  world.cloud.proxy.resetCounts();
}

/** Records the row and asserts it: the table holds exactly what was checked. */
async function converged(step: string, rerun: RigResult, expected: { instances: number; images: number; rerunOk: (r: RigResult) => boolean }): Promise<void> {
  const state = await inspect();
  const row: Row = {
    step,
    rerun: outcome(rerun),
    instances: state.live.length,
    images: state.images.length,
    untaggedSnapshots: state.untagged.length,
    keyPair: state.keyPair,
    passed: expected.rerunOk(rerun) && state.live.length === expected.instances && state.images.length === expected.images
      && state.untagged.length === 0 && state.keyPair === 'in AWS and local',
  };
  rows.push(row);
  expect(row, `${rerun.stdout}\n${rerun.stderr}`).toMatchObject({
    instances: expected.instances, images: expected.images, untaggedSnapshots: 0, keyPair: 'in AWS and local', passed: true,
  });
}

const ledgerExists = () => access(join(world.home, 'state', 'gpu.launch.json')).then(() => true, () => false);
const upOk = (r: RigResult) => r.code === 0 && /is running and ssh answers/.test(r.stderr);

describe('kill -9 during rig up, then rig up again', () => {
  it('after the ledger write, while RunInstances is on its way to AWS', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.setLatency(HOLD_MS, 'RunInstances');
    await killAt(['up'], 'the token saved and RunInstances sent', async () => (await ledgerExists()) && (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);
    world.cloud.proxy.setLatency(0, 'RunInstances');
    const ledger = join(world.home, 'state', 'gpu.launch.json');
    const before = JSON.parse(await readFile(ledger, 'utf8')) as { clientToken: string };
    const again = await world.rig(['up']);
    // The rerun kept the token saved before the kill (it is how EC2 knows the two requests are one).
    expect((JSON.parse(await readFile(ledger, 'utf8')) as { clientToken: string }).clientToken).toBe(before.clientToken);
    await converged('up: ClientToken saved, RunInstances in flight (not yet applied)', again, { instances: 1, images: 0, rerunOk: upOk });
  }, 120_000);

  it('after RunInstances was applied, its answer not yet back (the ledger does not know the instance)', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'RunInstances');
    await killAt(['up'], 'RunInstances applied', () => (world.cloud.proxy.applied().RunInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'RunInstances');
    const again = await world.rig(['up']);
    await converged('up: RunInstances applied, answer in flight (before the ledger update)', again, { instances: 1, images: 0, rerunOk: upOk });
  }, 120_000);

  it('while the SDK retries a RunInstances whose answers are lost', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'drop-after-apply', times: Infinity });
    await killAt(['up'], 'a retried RunInstances', () => (world.cloud.proxy.counts().RunInstances ?? 0) >= 2);
    world.cloud.proxy.clearFaults();
    const again = await world.rig(['up']);
    await converged('up: RunInstances answers dropped, SDK retrying', again, { instances: 1, images: 0, rerunOk: upOk });
  }, 120_000);

  it('while waiting for ssh', async () => {
    await freshWorld({ init: true });
    await world.sshd.stop();
    try {
      const child = world.spawnRig(['up']);
      await untilKillPoint('the ssh wait', () => child.output().includes('Waiting for ssh'), child);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      await world.sshd.start();
    }
    const again = await world.rig(['up']);
    await converged('up: waiting for ssh', again, { instances: 1, images: 0, rerunOk: upOk });
  }, 120_000);
});

describe('kill -9 during rig down --save-image, then the same command again', () => {
  const downOk = (r: RigResult) => r.code === 0 && /Workstation gpu is terminated/.test(r.stdout) && /Saved image: ami-/.test(r.stdout);

  it('after CreateImage was applied, its answer (and the snapshot tagging) not yet done', async () => {
    await freshWorld({ init: true, up: true });
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'CreateImage');
    await killAt(['down', '--save-image', '--yes'], 'CreateImage applied', () => (world.cloud.proxy.applied().CreateImage ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'CreateImage');
    const again = await world.rig(['down', '--save-image', '--yes']);
    expect(again.stderr).toMatch(/Reusing image ami-\S+ \((pending|available)\) already saved from i-/);
    await converged('down --save-image: CreateImage applied, answer in flight', again, { instances: 0, images: 1, rerunOk: downOk });
  }, 120_000);

  it('while waiting for the image to be available', async () => {
    await freshWorld({ init: true, up: true });
    world.cloud.proxy.setImagePendingMs(HOLD_MS);
    const child = world.spawnRig(['down', '--save-image', '--yes']);
    await untilKillPoint('the image wait', () => /Waiting for ami-\S+ to be available/.test(child.output()), child);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const again = await world.rig(['down', '--save-image', '--yes']);
    expect(again.stderr).toMatch(/Reusing image ami-\S+ \(pending\) already saved from i-/);
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
    await converged('down --save-image: waiting for the image', again, { instances: 0, images: 1, rerunOk: downOk });
  }, 120_000);

  it('after TerminateInstances was sent', async () => {
    await freshWorld({ init: true, up: true });
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'TerminateInstances');
    await killAt(['down', '--save-image', '--yes'], 'TerminateInstances applied', () => (world.cloud.proxy.applied().TerminateInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'TerminateInstances');
    const again = await world.rig(['down', '--save-image', '--yes']);
    // The instance is gone or going: the rerun makes no second image and says there is nothing left to end.
    await converged('down --save-image: TerminateInstances applied', again, {
      instances: 0, images: 1,
      rerunOk: (r) => (r.code === 0 && /terminated/.test(r.stdout)) || (r.code === 1 && /has no instance in us-east-1\. Fix: Nothing is running, so nothing is billed by the hour\./.test(r.stderr)),
    });
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
  }, 120_000);
});

describe('kill -9 during rig init, then rig init again', () => {
  it('after the key pair reached AWS, its answer not yet back', async () => {
    await freshWorld({ init: false });
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'CreateKeyPair');
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'ImportKeyPair');
    await killAt(initArgs(world), 'the key pair applied in AWS',
      () => (world.cloud.proxy.applied().CreateKeyPair ?? 0) + (world.cloud.proxy.applied().ImportKeyPair ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'CreateKeyPair');
    world.cloud.proxy.setAnswerDelay(0, 'ImportKeyPair');
    const again = await world.rig(initArgs(world));
    // The key in AWS is the one this machine holds: a launch with it answers on ssh.
    let up: RigResult | null = null;
    if (again.code === 0) {
      await world.trustWorkstationKey();
      up = await world.rig(['up']);
    }
    await converged('init: key pair applied in AWS, answer in flight (rerun: init, then up)', up ?? again, { instances: 1, images: 0, rerunOk: (r) => again.code === 0 && upOk(r) });
  }, 120_000);
});

/**
 * The app's core in a child process (test/support/app-core-child.ts: the Start button's use case on
 * createCore, no Electron), bundled once with esbuild so plain node can run it and kill -9 it.
 */
const APP_CORE = join(import.meta.dirname, '..', '..', 'out', 'test-support', 'app-core-child.mjs');

function spawnAppCore(): { exitCode: number | null; signalCode: NodeJS.Signals | null; output: () => string; kill: (signal: NodeJS.Signals) => void; exited: Promise<RigResult> } {
  const child = spawn(process.execPath, [APP_CORE, 'gpu'], { env: { ...world.env, CLOUDRIG_HOME: world.home } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<RigResult>((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return {
    get exitCode() { return child.exitCode; },
    get signalCode() { return child.signalCode; },
    output: () => stdout + stderr,
    kill: (signal) => void child.kill(signal),
    exited,
  };
}

/** The app's core restarted: Start again, to the end. */
async function appCoreAgain(): Promise<RigResult> {
  const result = await spawnAppCore().exited;
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  // The table's outcome column reads like rig's: the last line, with ids hidden.
  const ended = /"done":"(\w+)"/.exec(last)?.[1];
  const error = /"error":\{"code":"(\w+)"/.exec(last)?.[1];
  return { ...result, stderr: `${result.stderr}${ended ? `✔ ${ended}` : error ? `error: ${error}` : ''}` };
}

async function killAppCoreAt(what: string, condition: (output: string) => boolean | Promise<boolean>): Promise<void> {
  const child = spawnAppCore();
  await untilKillPoint(what, () => condition(child.output()), child);
  child.kill('SIGKILL');
  const end = await child.exited;
  expect(child.signalCode, `the app's core finished before being killed at ${what}: ${end.stdout}${end.stderr}`).toBe('SIGKILL');
}

const appUpOk = (r: RigResult) => r.code === 0 && /✔ ready$/.test(r.stderr);

describe("kill -9 of the app's core (its Start use case in a child process) during a launch, then Start again", () => {
  beforeAll(async () => {
    await build({
      entryPoints: [join(import.meta.dirname, '..', 'support', 'app-core-child.ts')],
      bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: APP_CORE, logLevel: 'silent',
    });
  });

  it('after the ledger write, while RunInstances is on its way to AWS', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.setLatency(HOLD_MS, 'RunInstances');
    await killAppCoreAt('the token saved and RunInstances sent', async () => (await ledgerExists()) && (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);
    world.cloud.proxy.setLatency(0, 'RunInstances');
    const again = await appCoreAgain();
    await converged('app core Start: ClientToken saved, RunInstances in flight', again, { instances: 1, images: 0, rerunOk: appUpOk });
    // Not only converged: no second instance was ever launched (none launched and then terminated as a duplicate).
    expect(await world.instances()).toHaveLength(1);
  }, 120_000);

  it('after RunInstances was applied, its answer not yet back', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'RunInstances');
    await killAppCoreAt('RunInstances applied', () => (world.cloud.proxy.applied().RunInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'RunInstances');
    const again = await appCoreAgain();
    await converged('app core Start: RunInstances applied, answer in flight', again, { instances: 1, images: 0, rerunOk: appUpOk });
    // Not only converged: no second instance was ever launched (none launched and then terminated as a duplicate).
    expect(await world.instances()).toHaveLength(1);
  }, 120_000);

  it('while the instance is pending', async () => {
    await freshWorld({ init: true });
    world.cloud.proxy.setHold({ pendingMs: HOLD_MS, stoppingMs: 500, shuttingDownMs: 500 });
    await killAppCoreAt('the instance pending', (output) => output.includes('"phase":"pending","instanceId":"i-'));
    world.cloud.proxy.setHold({ pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: 500 });
    const again = await appCoreAgain();
    await converged('app core Start: instance pending', again, { instances: 1, images: 0, rerunOk: appUpOk });
    // Not only converged: no second instance was ever launched (none launched and then terminated as a duplicate).
    expect(await world.instances()).toHaveLength(1);
  }, 120_000);

  it('while waiting for ssh', async () => {
    await freshWorld({ init: true });
    await world.sshd.stop();
    try {
      await killAppCoreAt('the ssh wait', (output) => output.includes('Waiting for ssh'));
    } finally {
      await world.sshd.start();
    }
    const again = await appCoreAgain();
    await converged('app core Start: waiting for ssh', again, { instances: 1, images: 0, rerunOk: appUpOk });
    // Not only converged: no second instance was ever launched (none launched and then terminated as a duplicate).
    expect(await world.instances()).toHaveLength(1);
  }, 120_000);
});

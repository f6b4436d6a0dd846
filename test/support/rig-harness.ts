import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import type { HoldTimes } from '../fixtures/cloud-proxy.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../fixtures/sshd.js';
import { clientConfig } from '../../src/adapters/aws/client-config.js';
import { createCore } from '../../src/adapters/compose.js';
import type { Clock } from '../../src/core/ports.js';
import { needsOwnProcess, runRigInProcess, type RigResult } from './rig-in-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RIG = join(ROOT, 'bin', 'rig.js');

export type { RigResult };

/** moto + cloud proxy + sshd + a temporary CloudRig home: a whole world for one test file. */
export interface RigWorld {
  readonly cloud: Cloud;
  readonly sshd: Sshd;
  home: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Runs `rig` in this world: its runRig in this process (rig-in-process.ts), or as a child process
   * running the built `rig` executable when the command needs one (`rig ssh`, `rig code`, `--debug`:
   * needsOwnProcess) or `process: true` asks for it (two commands at once; an app in this process
   * that must see the change come from another process).
   */
  rig(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; process?: boolean; timeoutMs?: number }): Promise<RigResult>;
  /** Starts `rig` without waiting for it. */
  spawnRig(args: readonly string[]): ChildProcess & { output: () => string };
  /** The core wired to the real adapters, in this process. */
  core(options?: { maxAttempts?: number; clock?: Clock; env?: NodeJS.ProcessEnv }): ReturnType<typeof createCore>;
  /** Authorises the key pair CloudRig created for `workstation` on the sshd. */
  trustWorkstationKey(workstation?: string): Promise<void>;
  /** `rig status --json`, checked to succeed. */
  statusJson(): Promise<Record<string, unknown>>;
  /**
   * An EC2 client of the test's own for `region` (default us-east-1), configured from this world's
   * env as rig's are (clientConfig): moto's endpoint and keys given, nothing read from process.env.
   */
  ec2(region?: string, options?: { maxAttempts?: number }): EC2Client;
  /** Every instance moto has in `region`, any state. */
  instances(region?: string): Promise<Instance[]>;
  /** A fresh home and a clean moto and proxy. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the peers; `env` points rig, the core and the tests' own SDK clients (world.ec2) at them.
 * The process environment is left alone.
 */
export async function startRigWorld(options: { readonly followLaunches?: boolean } = {}): Promise<RigWorld> {
  const cloud = await startCloud();
  const sshd = await startSshd({ start: true, followLaunches: options.followLaunches });
  const env: NodeJS.ProcessEnv = { ...process.env, ...cloud.env, CI: '1' };
  // The box is this machine (sshd runs as this user): a snooze or an idle check over ssh must touch a
  // keep-alive file of this world's, never the default /var/lib/cloudrig/keepalive that every other
  // test's box would then read as "kept awake".
  // (A test that sets its own in world.env keeps it.)
  const ownBox = (): NodeJS.ProcessEnv => ({ CLOUDRIG_HOME: world.home, CLOUDRIG_KEEPALIVE_FILE: env.CLOUDRIG_KEEPALIVE_FILE ?? join(world.home, 'box-keepalive') });
  const world: RigWorld = {
    cloud,
    sshd,
    home: await mkdtemp(join(tmpdir(), 'cloudrig-home-')),
    env,
    rig(args, options = {}) {
      const runEnv = { ...env, ...ownBox(), ...options.env };
      if (!options.process && options.timeoutMs === undefined && !needsOwnProcess(args, runEnv)) return runRigInProcess(args, runEnv);
      return new Promise((resolve) => {
        execFile(process.execPath, [RIG, ...args], {
          env: runEnv,
          // A guard, not a timed assertion: a rig that hangs is killed and its (empty) output fails the test.
          timeout: options.timeoutMs ?? 120_000,
        }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
      });
    },
    spawnRig(args) {
      const child = spawn(process.execPath, [RIG, ...args], { env: { ...env, ...ownBox() } });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return Object.assign(child, { output: () => output });
    },
    core(options = {}) {
      return createCore({ home: world.home, env: { ...env, ...ownBox(), ...options.env }, maxAttempts: options.maxAttempts, clock: options.clock });
    },
    async trustWorkstationKey(workstation = 'gpu') {
      const pem = await readFile(join(world.home, 'keys', `cloudrig-${workstation}.pem`), 'utf8');
      await sshd.setAuthorizedKey(publicKeyFromPrivate(pem));
    },
    async statusJson() {
      const result = await world.rig(['status', '--json']);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
    ec2(region = 'us-east-1', options = {}) {
      return new EC2Client(clientConfig('EC2', region, { env, maxAttempts: options.maxAttempts }));
    },
    async instances(region = 'us-east-1') {
      const ec2 = world.ec2(region);
      const out = await ec2.send(new DescribeInstancesCommand({}));
      ec2.destroy();
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    },
    async reset() {
      await rm(world.home, { recursive: true, force: true, maxRetries: 5 });
      world.home = await mkdtemp(join(tmpdir(), 'cloudrig-home-'));
      await cloud.reset();
    },
    async close() {
      await sshd.close();
      await cloud.close();
      await rm(world.home, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  return world;
}

/** `rig init` arguments for a workstation whose ssh goes to the sshd fixture. */
export function initArgs(world: RigWorld, extra: readonly string[] = []): string[] {
  return ['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host,
    '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user, ...extra];
}

/** `rig init` (ssh to the sshd fixture), the workstation's key trusted on the sshd, then `rig up`: workstation gpu, ready. */
export async function readyWorkstation(world: RigWorld): Promise<void> {
  const init = await world.rig(initArgs(world));
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
}

/** The last non-empty line of some output. */
export function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** How a test file wants its world. */
export interface WorldSetup {
  /** Proxy holds for the whole file (reapplied after each reset). */
  readonly hold?: HoldTimes;
  /** Before each test: reset the world, then (with `init`) run `rig init` and trust the key on sshd. */
  readonly eachTest?: { readonly init: boolean };
  /** sshd takes the host key each launch seeds, as the instance would (default true); false leaves that to the test. */
  readonly followLaunches?: boolean;
}

/**
 * One world for this test file: started before its tests, closed after them. Returns a stand-in
 * that forwards to the live world, so tests can write `world.rig(…)` at the top level.
 */
export function useRigWorld(setup: WorldSetup = {}): RigWorld {
  let live: RigWorld | undefined;
  beforeAll(async () => {
    live = await startRigWorld({ followLaunches: setup.followLaunches });
    if (setup.hold) live.cloud.proxy.setHold(setup.hold);
  });
  afterAll(() => live?.close());
  if (setup.eachTest) {
    beforeEach(async () => {
      const world = live!;
      await world.reset();
      if (setup.hold) world.cloud.proxy.setHold(setup.hold);
      if (setup.eachTest?.init) {
        const init = await world.rig(initArgs(world));
        expect(init.code, init.stderr).toBe(0);
        await world.trustWorkstationKey();
      }
      world.cloud.proxy.resetCounts();
    });
  }
  return new Proxy({} as RigWorld, {
    get(_target, property) {
      if (!live) throw new Error('the world starts in beforeAll; use it inside tests and hooks');
      const value = Reflect.get(live, property, live) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(live) : value;
    },
  });
}

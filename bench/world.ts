import { DEFAULT_AMI_PARAMETER, WorkstationSpecSchema, type Snapshot, type WorkstationSpec } from '../src/shared/workstation.js';
import { createCore, type Core } from '../src/adapters/compose.js';
import type { Clock } from '../src/core/ports.js';
import { startRigWorld, type RigWorld } from '../test/support/rig-harness.js';

/** The workstation every measurement watches. */
export const WORKSTATION = 'gpu';
export const REGION = 'us-east-1';

/** moto + cloud proxy + sshd + a CloudRig home with one running workstation. */
export interface BenchWorld {
  readonly rig: RigWorld;
  readonly instanceId: string;
  /** A fresh core (its own service, so nothing is cached) over this world, on `clock` if given. */
  core(clock?: Clock): Core;
  close(): Promise<void>;
}

/** The spec of a workstation whose ssh goes to `world`'s sshd. */
export function benchSpec(rig: RigWorld, name: string, sshPort = rig.sshd.port): WorkstationSpec & { ingressCidr: string } {
  // `auto` is init's input (your public IP /32), not a stored range the schema accepts.
  return {
    ...WorkstationSpecSchema.parse({
      name, region: REGION, instanceType: 'g4dn.xlarge',
      image: { kind: 'parameter', path: DEFAULT_AMI_PARAMETER },
      sshHost: rig.sshd.host, sshPort, sshUser: rig.sshd.user,
      ingressCidr: '203.0.113.7/32',
    }),
    ingressCidr: 'auto',
  };
}

/** Starts the peers, creates the workstation (key pair, security group) and launches it. */
export async function startBenchWorld(): Promise<BenchWorld> {
  const rig = await startRigWorld();
  try {
    const setup = createCore({ home: rig.home, env: rig.env });
    await setup.service.init(benchSpec(rig, WORKSTATION));
    await rig.trustWorkstationKey(WORKSTATION);
    const launched: Snapshot = await setup.service.up(WORKSTATION, { waitSsh: true, timeoutMs: 60_000 });
    const instanceId = launched.instance?.instanceId;
    if (!instanceId) throw new Error('the workstation did not launch');
    return {
      rig,
      instanceId,
      core: (clock) => createCore({ home: rig.home, env: rig.env, clock }),
      close: () => rig.close(),
    };
  } catch (error) {
    await rig.close();
    throw error;
  }
}

/** Waits `ms` real milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(check: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await delay(everyMs);
  }
  return true;
}

/** Waits for the workstation's instance to settle, and starts it when it settled stopped. */
export async function ensureRunning(world: BenchWorld): Promise<void> {
  const gateway = world.core().cloud.gateway(REGION);
  const deadline = Date.now() + 20_000;
  let started = false;
  for (;;) {
    const state = (await gateway.describeInstance(world.instanceId))?.state;
    if (state === 'running') return;
    if (state === 'stopped' && !started) {
      await gateway.startInstance(world.instanceId);
      started = true;
    } else if (state !== 'pending' && state !== 'stopping' && state !== 'stopped') {
      throw new Error(`instance ${world.instanceId} is ${state ?? 'gone'}`);
    }
    if (Date.now() > deadline) throw new Error(`instance ${world.instanceId} is still ${state} after 20 s`);
    await delay(100);
  }
}

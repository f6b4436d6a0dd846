import { DescribeImagesCommand, DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, type Instance } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLine } from '../../src/cli/output.js';
import { CloudRigError } from '../../src/core/errors.js';
import { DEFAULT_AMI_PARAMETER, WorkstationSpecSchema } from '../../src/shared/workstation.js';
import type { Fault } from '../fixtures/cloud-proxy.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Each lifecycle operation × each fault, injected on the cloud proxy for the operation's key
 * action. Every cell checks: the operation completes, or fails with its mapped one-line error
 * (a CloudRigError, no stack trace) naming the billed instance when one is left running; a rerun
 * with the fault gone converges to the state AWS should hold; never a second or an untagged
 * instance (asked of moto directly). The generated table goes to docs/reliability.md.
 */

const world = useRigWorld({ hold: { pendingMs: 200, stoppingMs: 200, shuttingDownMs: 100 } });

/** Short per-attempt timeouts and two attempts: a fault that outlasts the retries fails in about a second. */
const TIMEOUT_MS = 2_000;
const ATTEMPTS = 2;
const WAIT_MS = 20_000;

type Operation = 'init' | 'launch' | 'start' | 'stop' | 'terminate' | 'save image' | 'scan';
type FaultName = 'throttling' | '5xx' | 'connection reset' | 'latency beyond timeout' | 'response dropped after apply' | 'credentials expire mid-operation';

/** The action whose failure matters most for each operation. */
const KEY_ACTION: Record<Operation, string> = {
  init: 'ImportKeyPair',
  launch: 'RunInstances',
  start: 'StartInstances',
  stop: 'StopInstances',
  terminate: 'TerminateInstances',
  'save image': 'CreateImage',
  scan: 'DescribeInstances',
};

/** The fault on the proxy. Transient ones outlast the retries, so the failure path is exercised. */
function faultFor(name: FaultName, action: string): Fault {
  switch (name) {
    case 'throttling':
      return { action, kind: 'throttle', times: Infinity };
    case '5xx':
      return { action, kind: 'server-error', times: Infinity };
    case 'connection reset':
      return { action, kind: 'reset', times: Infinity };
    case 'latency beyond timeout':
      // Answered (and applied) later than the client waits, as a slow endpoint does.
      return { action, kind: 'stall', delayMs: TIMEOUT_MS * 2.5, times: Infinity };
    case 'response dropped after apply':
      return { action, kind: 'drop-after-apply', times: 1 };
    case 'credentials expire mid-operation':
      // The operation's first request passes; every later one (its key action included) is refused.
      return { action: '*', kind: 'expired-credentials', after: 1, times: Infinity };
  }
}

const OPERATIONS = Object.keys(KEY_ACTION) as Operation[];
const FAULTS: FaultName[] = ['throttling', '5xx', 'connection reset', 'latency beyond timeout', 'response dropped after apply', 'credentials expire mid-operation'];

/** What AWS should hold once the operation has (eventually) succeeded. */
const EXPECTED: Record<Operation, 'no instance' | 'running' | 'stopped' | 'terminated'> = {
  init: 'no instance',
  launch: 'running',
  start: 'running',
  stop: 'stopped',
  terminate: 'terminated',
  'save image': 'terminated',
  scan: 'running',
};

interface Row {
  readonly operation: Operation;
  readonly fault: FaultName;
  readonly outcome: string;
  readonly rerun: string;
  readonly passed: boolean;
  readonly lost: number;
  readonly doubles: number;
  readonly stackTraces: number;
  readonly images: number;
}
const rows: Row[] = [];

function spec() {
  return WorkstationSpecSchema.parse({
    name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge',
    image: { kind: 'parameter', path: DEFAULT_AMI_PARAMETER },
    sshHost: world.sshd.host, sshPort: world.sshd.port, sshUser: world.sshd.user,
    ingressCidr: '203.0.113.7/32',
  });
}

function isOurs(instance: Instance): boolean {
  const tags = instance.Tags ?? [];
  return tags.some((t) => t.Key === 'cloudrig:workstation' && t.Value === 'gpu') && tags.some((t) => t.Key === 'cloudrig:managed' && t.Value === 'true');
}

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped', 'shutting-down']);

/**
 * Runs one operation on a fresh core (as a new `rig` process would). `underFault`: with short
 * request timeouts and two attempts (in the environment the core is given).
 */
async function run(operation: Operation, underFault: boolean): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const { service } = world.core({ maxAttempts: underFault ? ATTEMPTS : undefined, env: underFault ? { CLOUDRIG_AWS_TIMEOUT_MS: String(TIMEOUT_MS) } : {} });
  try {
    switch (operation) {
      case 'init':
        await service.init(spec());
        break;
      case 'launch':
      case 'start':
        await service.up(undefined, { waitSsh: false, timeoutMs: WAIT_MS });
        break;
      case 'stop':
        await service.stop(undefined, { timeoutMs: WAIT_MS });
        break;
      case 'terminate':
        await service.down(undefined, { timeoutMs: WAIT_MS });
        break;
      case 'save image':
        await service.down(undefined, { saveImage: true, timeoutMs: WAIT_MS });
        break;
      case 'scan': {
        const found = await service.scan();
        if (!found.some((i) => i.workstation === 'gpu')) throw new Error('scan did not find the workstation');
        break;
      }
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Brings AWS to where the operation starts from. */
async function arrange(operation: Operation): Promise<void> {
  if (operation === 'init') return;
  const { service } = world.core();
  await service.init(spec());
  if (operation === 'launch') return;
  await service.up(undefined, { waitSsh: false, timeoutMs: WAIT_MS });
  if (operation === 'start') await service.stop(undefined, { timeoutMs: WAIT_MS });
}

async function settledInstances(): Promise<Instance[]> {
  // Let holds (pending/stopping/shutting-down) run out so the state read is the settled one; after
  // 5 s, whatever AWS holds then is the answer (a cell that never settles fails on it).
  let all: Instance[] = [];
  const settled = async (): Promise<boolean> => {
    all = await world.instances();
    return !all.some((i) => ['pending', 'stopping', 'shutting-down'].includes(i.State?.Name ?? ''));
  };
  await waitUntil('the instances to settle', settled, 5_000, 100).catch(() => undefined);
  return all;
}

async function converged(operation: Operation, instances: Instance[]): Promise<boolean> {
  const live = instances.filter((i) => LIVE.has(i.State?.Name ?? ''));
  const expected = EXPECTED[operation];
  if (expected === 'no instance' || expected === 'terminated') {
    if (live.length > 0) return false;
  } else if (live.length !== 1 || live[0]!.State?.Name !== expected) return false;
  if (operation === 'init') {
    const ec2 = world.ec2();
    const keys = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['cloudrig-gpu'] })).catch(() => ({ KeyPairs: [] }));
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    ec2.destroy();
    return (keys.KeyPairs ?? []).length === 1 && (groups.SecurityGroups ?? []).length === 1;
  }
  return true;
}

async function imageCount(): Promise<number> {
  const ec2 = world.ec2();
  const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }] }));
  ec2.destroy();
  return (out.Images ?? []).length;
}

function words(result: { ok: true } | { ok: false; error: unknown }): string {
  if (result.ok) return 'completed';
  return result.error instanceof CloudRigError ? `failed: ${result.error.code}` : `failed unmapped: ${String(result.error)}`;
}

afterAll(async ({}, file) => {
  const sum = (pick: (row: Row) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const table = markdownTable(
    ['operation', 'fault (on the key action)', 'outcome', 'rerun', 'images (save image: must be 1)', 'passed'],
    rows.map((r) => [r.operation, `${r.fault} (${r.fault === 'credentials expire mid-operation' ? 'any action after the first' : KEY_ACTION[r.operation]})`, r.outcome, r.rerun, r.images, r.passed ? 'yes' : '**no**']),
  );
  const totals = markdownTable(
    ['cells', 'passed', 'instances lost', 'double launches left running', 'stack traces', 'duplicate images'],
    [[rows.length, rows.filter((r) => r.passed).length, sum((r) => r.lost), sum((r) => r.doubles), sum((r) => r.stackTraces), sum((r) => Math.max(0, r.images - 1))]],
  );
  await writeReliabilitySection('fault-matrix', file, [
    `Generated by \`test/integration/fault-matrix.test.ts\` (moto ${'5.2.1'} behind the cloud proxy; per-attempt request timeout ${TIMEOUT_MS} ms, ${ATTEMPTS} attempts).`,
    'Each operation runs on a fresh core with the fault injected; then the fault is cleared and the same operation is run again.',
    'A cell passes when the first run completes or fails with a mapped one-line error (naming the billed instance when one is left pending/running),',
    'the rerun converges to the state AWS should hold, and moto holds no second and no untagged instance.',
    '',
    totals,
    '',
    table,
  ].join('\n'));
});

describe('fault matrix: each lifecycle operation × each fault', () => {
  for (const operation of OPERATIONS) {
    for (const fault of FAULTS) {
      it(`${operation} × ${fault}: mapped error or success, converges on rerun, never a second or untagged instance`, async () => {
        await world.reset();
        world.cloud.proxy.setHold({ pendingMs: 200, stoppingMs: 200, shuttingDownMs: 100 });
        await arrange(operation);
        world.cloud.proxy.inject(faultFor(fault, KEY_ACTION[operation]));
        const first = await run(operation, true);
        world.cloud.proxy.clearFaults();

        const problems: string[] = [];
        let stackTraces = 0;
        if (!first.ok) {
          const line = errorLine(first.error);
          // A stack frame looks like "at fn (file.js:12:34)"; a mapped error is one CloudRigError line.
          if (!(first.error instanceof CloudRigError) || /\n|\(\S+:\d+:\d+\)/.test(line)) {
            stackTraces += 1;
            problems.push(`unmapped or multi-line error: ${line}`);
          }
          const leftBilled = (await world.instances()).filter((i) => isOurs(i) && ['pending', 'running'].includes(i.State?.Name ?? ''));
          const billedMatters = operation !== 'scan' && operation !== 'init';
          for (const instance of billedMatters ? leftBilled : []) {
            // The id, or (when RunInstances was never answered, so no id is known) that the launch may have started one.
            const named = line.includes(instance.InstanceId!) || (operation === 'launch' && line.includes('may have started an instance'));
            if (!named || !line.includes('billed') || !/`rig (stop|down) gpu`/.test(line)) {
              problems.push(`the error does not say ${instance.InstanceId!} is billed and how to stop it: ${line}`);
            }
          }
        }
        const second = await run(operation, false);
        const rerunOk = second.ok || (second.error instanceof CloudRigError && second.error.code === 'NoInstance' && EXPECTED[operation] === 'terminated');
        if (!rerunOk) problems.push(`rerun: ${errorLine(second.ok ? null : second.error)}`);

        const instances = await settledInstances();
        const live = instances.filter((i) => LIVE.has(i.State?.Name ?? ''));
        const untagged = live.filter((i) => !isOurs(i)).length;
        const doubles = Math.max(0, live.filter(isOurs).length - 1);
        // Lost: a live instance rig does not show as the workstation's.
        const shown = live.length > 0 ? (await world.core().service.refresh('gpu', { probeSsh: false }).catch(() => null))?.instance?.instanceId : undefined;
        const lost = untagged + live.filter((i) => isOurs(i) && i.InstanceId !== shown).length;
        if (doubles > 0) problems.push(`${doubles + 1} live instances`);
        if (lost > 0) problems.push(`${lost} instance(s) not shown by rig`);
        if (!(await converged(operation, instances))) problems.push(`did not converge: ${live.map((i) => `${i.InstanceId!} ${i.State?.Name ?? ''}`).join(', ') || 'no instance'}`);
        // Saving an image, however often retried, leaves exactly one image of the instance.
        const images = operation === 'save image' ? await imageCount() : 0;
        if (operation === 'save image' && images !== 1) problems.push(`${images} images of the workstation, not 1`);

        rows.push({
          operation, fault, outcome: words(first), rerun: rerunOk ? 'converged' : words(second),
          passed: problems.length === 0, lost, doubles, stackTraces, images,
        });
        expect(problems.join("\n")).toBe("");
      }, 60_000);
    }
  }
});

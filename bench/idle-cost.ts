import { FleetWatch } from '../src/core/app/fleet-watch.js';
import type { Phase } from '../src/shared/workstation.js';
import { AcceleratedClock } from './accelerated-clock.js';
import { type Row } from './report.js';
import type { Samples } from './samples.js';
import { ensureRunning, REGION, until, type BenchWorld } from './world.js';

/** Sleeps pass 600× faster: the steady 60 s poll interval takes 100 ms. */
const FACTOR = 600;
const HOUR_MS = 3_600_000;

interface Window {
  readonly simulatedMs: number;
  readonly realMs: number;
  readonly counts: Record<string, number>;
  readonly perHour: Record<string, number>;
}

/**
 * DESIGN.md's target: idle polling costs ≤ 1 DescribeInstances a minute per region. The app's
 * FleetWatch on an accelerated clock (see AcceleratedClock) watches a workstation that is not
 * changing; the proxy counts every request it receives over the window, reported per simulated
 * hour. Three steady states: running with ssh answering (`ready`), `stopped`, and, as an extra,
 * running while ssh never answers (a firewall or a changed home IP).
 */
export async function measureIdleCost(world: BenchWorld, samples: Samples): Promise<Row[]> {
  const { sshd } = world.rig;
  const gateway = world.core().cloud.gateway(REGION);
  const rows: Row[] = [];

  await sshd.start();
  await ensureRunning(world);
  rows.push(row('steady running (ready)', await idleWindow(world, 'ready', samples.idleRealCapMs), true));

  await sshd.stop();
  rows.push(row('running, ssh never answers (extra)', await idleWindow(world, 'running', samples.idleBusyCapMs), false));

  await gateway.stopInstance(world.instanceId);
  await waitForState(world, 'stopped');
  rows.push(row('steady stopped', await idleWindow(world, 'stopped', samples.idleRealCapMs), true));

  await gateway.startInstance(world.instanceId);
  await waitForState(world, 'running');
  await sshd.start();
  return rows;
}

function row(what: string, window: Window, issueItem: boolean): Row {
  const describe = window.perHour.DescribeInstances ?? 0;
  // A poller at exactly 1/min makes at most floor(W / 1 min) + 1 calls in a window W: it may poll
  // at both ends. Judging the per-hour rate instead fails a 61-minute window with 61 polls.
  const allowed = Math.floor(window.simulatedMs / 60_000) + 1;
  const made = window.counts.DescribeInstances ?? 0;
  const all = Object.values(window.perHour).reduce((a, b) => a + b, 0);
  const others = Object.entries(window.perHour).filter(([action]) => action !== 'DescribeInstances');
  const span = `${(window.simulatedMs / 60_000).toFixed(1)} min`;
  return {
    item: 3,
    measure: `Idle API calls, ${what}`,
    result: `${fmt(describe)} DescribeInstances/h, ${fmt(all)} calls/h in all${others.length ? ` (${others.map(([a, n]) => `${a} ${fmt(n)}`).join(', ')})` : ''}; ${made} in ${span} simulated (1/min allows ${allowed}) in ${(window.realMs / 1000).toFixed(1)} s`,
    target: '≤ 60 DescribeInstances/h (1/min)',
    pass: made <= allowed,
    data: { ...window, issueItem },
  };
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1).replace(/\.0$/, '');
}

/**
 * Watches for a simulated hour, or `realCapMs` of real time, whichever comes first, once the watcher
 * has settled in `phase` (polling while ssh never answers is clear within seconds: no need to hammer
 * moto for a simulated hour).
 */
async function idleWindow(world: BenchWorld, phase: Phase, realCapMs: number): Promise<Window> {
  const clock = new AcceleratedClock(FACTOR);
  const core = world.core(clock);
  let current = null as Phase | null;
  core.service.onDidChange((snapshot) => (current = snapshot.phase));
  const watcher = new FleetWatch({ service: core.service, cloud: core.cloud, clock });
  watcher.start();
  try {
    if (!(await until(() => current === phase, 10_000))) throw new Error(`the workstation did not settle in ${phase} (it is ${current ?? 'unknown'})`);
    const { proxy } = world.rig.cloud;
    proxy.resetCounts();
    const simulatedStart = clock.now();
    const realStart = Date.now();
    await until(() => clock.now() - simulatedStart >= HOUR_MS || Date.now() - realStart >= realCapMs, realCapMs + 1_000, 5);
    const counts = proxy.counts();
    const simulatedMs = clock.now() - simulatedStart;
    if (current !== phase) throw new Error(`the workstation left ${phase} during the window (now ${current ?? 'unknown'})`);
    const perHour = Object.fromEntries(Object.entries(counts).map(([action, n]) => [action, (n * HOUR_MS) / simulatedMs]));
    return { simulatedMs, realMs: Date.now() - realStart, counts, perHour };
  } finally {
    await watcher.dispose();
  }
}

/** Waits (real time) until EC2 reports `state` for the workstation's instance. */
async function waitForState(world: BenchWorld, state: string): Promise<void> {
  const gateway = world.core().cloud.gateway(REGION);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const instance = await gateway.describeInstance(world.instanceId);
    if (instance?.state === state) return;
    if (Date.now() > deadline) throw new Error(`instance ${world.instanceId} is ${instance?.state ?? 'gone'}, not ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { FleetWatch } from '../src/core/app/fleet-watch.js';
import type { Snapshot } from '../src/shared/workstation.js';
import { seconds, summary, type Row } from './report.js';
import { FULL_SAMPLES, type Samples } from './samples.js';
import type { StateTransition } from '../test/fixtures/cloud-proxy.js';
import { delay, ensureRunning, REGION, until, type BenchWorld } from './world.js';

/** What an observer saw, and when (epoch ms). */
interface Sighting {
  readonly at: number;
  readonly state: string;
}

/** One settled state the proxy started reporting, and when each observer first saw it. */
interface Transition {
  readonly state: 'running' | 'stopped';
  readonly holdMs: number;
  readonly reportedAt: number;
  readonly watcherMs: number | null;
  readonly baselineMs: number | null;
}

const BASELINE_PERIOD_S = 2;
const OBSERVE_TIMEOUT_MS = 15_000;
/** The baseline loop's period: the 2 s sleep plus about 0.6 s for each `aws` run here. */
const BASELINE_CYCLE_MS = BASELINE_PERIOD_S * 1_000 + 600;

/**
 * DESIGN.md's target: a state change is noticed ≤ 0.5 s (median) after EC2 reports it. Starts and
 * stops the workstation's instance through the EC2 gateway (as the app's Start/Stop do, followed by
 * `fleet.refreshNow()`), with the proxy holding pending/stopping for a random 1–2 s each time so
 * that polls are not in step with transitions. The app's FleetWatch (the only poller in this
 * process) and a shell loop of `aws ec2 describe-instances` every 2 s watch the same transitions;
 * each latency is sighting time − the moment the proxy started reporting the settled state. sshd is
 * down meanwhile, so `running` is not delayed by a successful ssh handshake.
 */
export async function measureNoticeLatency(world: BenchWorld, samples: Samples): Promise<Row[]> {
  const transitions = samples.noticeTransitions;
  const { proxy } = world.rig.cloud;
  await world.rig.sshd.stop();
  const core = world.core();
  const gateway = core.cloud.gateway(REGION);
  const watched: Sighting[] = [];
  core.service.onDidChange((snapshot: Snapshot) => {
    if (snapshot.instance) watched.push({ at: Date.now(), state: snapshot.instance.state });
  });
  const watcher = new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock });
  watcher.start();
  const baseline = startBaselineLoop(world);
  const results: Transition[] = [];
  try {
    await until(() => watched.length > 0 && baseline.sightings.length > 0, OBSERVE_TIMEOUT_MS);
    let state: string | undefined = watched.at(-1)?.state;
    if (state !== 'running' && state !== 'stopped') throw new Error(`the instance is ${state ?? 'unknown'}, not running or stopped`);
    for (let i = 0; i < transitions; i++) {
      const target: 'running' | 'stopped' = state === 'running' ? 'stopped' : 'running';
      const holdMs = 1_000 + Math.round(Math.random() * 1_000);
      proxy.setHold({ pendingMs: holdMs, stoppingMs: holdMs });
      const requestedAt = Date.now();
      if (target === 'running') await gateway.startInstance(world.instanceId);
      else await gateway.stopInstance(world.instanceId);
      watcher.refreshNow();
      // The proxy lists a transition once it has happened, i.e. once the hold is over.
      const happened = (): StateTransition | undefined =>
        proxy.transitions().find((t) => t.instanceId === world.instanceId && t.state === target && t.at >= requestedAt);
      await until(() => happened() !== undefined, holdMs + OBSERVE_TIMEOUT_MS);
      const reported = happened();
      if (!reported) throw new Error(`the proxy reported no transition to ${target} within ${(holdMs + OBSERVE_TIMEOUT_MS) / 1000} s`);
      const firstSeen = (sightings: readonly Sighting[]): number | undefined =>
        sightings.find((s) => s.at >= reported.at && s.state === target)?.at;
      await until(() => firstSeen(watched) !== undefined && firstSeen(baseline.sightings) !== undefined, reported.at - Date.now() + OBSERVE_TIMEOUT_MS);
      const watcherAt = firstSeen(watched);
      const baselineAt = firstSeen(baseline.sightings);
      results.push({
        state: target,
        holdMs,
        reportedAt: reported.at,
        watcherMs: watcherAt === undefined ? null : watcherAt - reported.at,
        baselineMs: baselineAt === undefined ? null : baselineAt - reported.at,
      });
      state = target;
      // A random settled time of up to one baseline loop period, so that the next transition
      // falls at a random point of the loop's cycle (waiting for the loop to see this one would
      // otherwise put the next transition just before its next call, flattering the baseline).
      await delay(Math.random() * BASELINE_CYCLE_MS);
    }
  } finally {
    baseline.stop();
    await watcher.dispose();
    proxy.setHold({});
    // The items after this one expect the workstation ready: sshd answers again.
    await world.rig.sshd.start();
    await ensureRunning(world);
  }

  const watcherMs = results.flatMap((r) => (r.watcherMs === null ? [] : [r.watcherMs]));
  const baselineMs = results.flatMap((r) => (r.baselineMs === null ? [] : [r.baselineMs]));
  const w = summary(watcherMs);
  const b = summary(baselineMs);
  const missed = (n: number): string => (n < results.length ? `, ${results.length - n} not seen within ${OBSERVE_TIMEOUT_MS / 1000} s` : '');
  const ratio = b.median / w.median;
  return [
    {
      item: 1,
      measure: `Notice latency, CloudRig watcher (${watcherMs.length} transitions)`,
      result: `${seconds(w.median)} median, p95 ${seconds(w.p95)}${missed(watcherMs.length)}`,
      target: '≤ 0.5 s median',
      pass: watcherMs.length === results.length && watcherMs.length >= FULL_SAMPLES.noticeTransitions && w.median <= 500,
      data: {
        watcher: w,
        watcherRunning: summary(results.flatMap((r) => (r.state === 'running' && r.watcherMs !== null ? [r.watcherMs] : []))),
        watcherStopped: summary(results.flatMap((r) => (r.state === 'stopped' && r.watcherMs !== null ? [r.watcherMs] : []))),
        transitions: results,
      },
    },
    {
      item: 1,
      measure: `Notice latency, \`aws ec2 describe-instances\` every ${BASELINE_PERIOD_S} s (${baselineMs.length})`,
      result: `${seconds(b.median)} median, p95 ${seconds(b.p95)}; CloudRig ${ratio.toFixed(1)}× faster${missed(baselineMs.length)}`,
      target: 'baseline to beat',
      pass: w.median < b.median,
      data: { baseline: b, ratio },
    },
  ];
}

/** A shell loop calling the AWS CLI every 2 s; each line it prints is a sighting. */
function startBaselineLoop(world: BenchWorld): { readonly sightings: Sighting[]; stop(): void } {
  const script = [
    'while :; do',
    `  s=$(aws ec2 describe-instances --endpoint-url "$ENDPOINT" --region ${REGION} --instance-ids "$INSTANCE"` +
      ` --query 'Reservations[0].Instances[0].State.Name' --output text 2>&1 | tr -d '\\n')`,
    '  echo "$(date +%s%3N) $s"',
    `  sleep ${BASELINE_PERIOD_S}`,
    'done',
  ].join('\n');
  const child = spawn('bash', ['-c', script], {
    env: { ...process.env, ...world.rig.cloud.env, ENDPOINT: world.rig.cloud.endpoint, INSTANCE: world.instanceId },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so stop() ends the loop and the aws call in flight
  });
  const sightings: Sighting[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const match = /^(\d+) (.*)$/.exec(line);
    if (match) sightings.push({ at: Number(match[1]), state: (match[2] ?? '').trim() });
  });
  return {
    sightings,
    stop() {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

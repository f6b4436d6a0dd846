import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { AppSession } from '../src/core/app/app-session.js';
import { benchSessionPorts } from './app-ports.js';
import { seconds, summary, type Row } from './report.js';
import type { Samples } from './samples.js';
import { until, type BenchWorld } from './world.js';

/** How long the proxy reports `stopping` (and `pending`) after each change. */
const HOLD_MS = 500;

/**
 * DESIGN.md's target: a change made with `rig` shows in the app's tray ≤ 1 s after `rig` returns.
 * The tray app's controller runs in this process on the world's home, with the real system clock (a
 * steady poll every minute) and the real adapters; `rig stop` runs as a child process. Each sample
 * is the time from rig's exit to the first tray model that shows the workstation stopped; zero when
 * the tray showed it before rig returned. Between samples `rig up` brings the workstation back and
 * the tray is seen ready again.
 */
export async function measureInStep(world: BenchWorld, root: string, samples: Samples): Promise<Row[]> {
  const stops = samples.inStepStops;
  const { rig } = world;
  const runRig = (args: readonly string[]): Promise<{ code: number; stderr: string }> => new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'rig.js'), ...args], { env: { ...rig.env, CLOUDRIG_HOME: rig.home }, timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
  rig.cloud.proxy.setHold({ pendingMs: HOLD_MS, stoppingMs: HOLD_MS });
  let tooltip = '';
  let stoppedAt: number | null = null;
  const app = new AppSession(benchSessionPorts(rig.home, rig.env));
  app.onDidChangeTray((tray) => {
    tooltip = tray.tooltip;
    if (stoppedAt === null && tooltip.includes(': Stopped')) stoppedAt = performance.now();
  });
  app.start();
  const latencies: number[] = [];
  let early = 0;
  try {
    for (let i = 0; i < stops; i++) {
      if (!(await until(() => tooltip.includes(': Ready for ssh'), 60_000, 5))) throw new Error(`the tray did not show ready (it shows "${tooltip}")`);
      stoppedAt = null;
      const stop = await runRig(['stop']);
      const returned = performance.now();
      if (stop.code !== 0) throw new Error(`rig stop failed: ${stop.stderr.trim()}`);
      if (!(await until(() => stoppedAt !== null, 30_000, 5))) throw new Error(`the tray did not show stopped within 30 s (it shows "${tooltip}")`);
      const latency = (stoppedAt ?? returned) - returned;
      if (latency < 0) early++;
      latencies.push(Math.max(0, latency));
      const up = await runRig(['up']);
      if (up.code !== 0) throw new Error(`rig up failed: ${up.stderr.trim()}`);
    }
  } finally {
    await app.dispose();
    rig.cloud.proxy.setHold({});
  }
  const s = summary(latencies);
  return [{
    item: 2,
    measure: `\`rig stop\` → the app's tray shows it (${stops} stops, app polling at its steady 1/min)`,
    result: `${seconds(s.median)} median, p95 ${seconds(s.p95)} after rig returned (${early} of ${stops} shown before it returned)`,
    target: '≤ 1 s after rig returns',
    pass: s.median <= 1_000,
    data: { samplesMs: latencies, summaryMs: s, shownBeforeRigReturned: early, holdMs: HOLD_MS },
  }];
}

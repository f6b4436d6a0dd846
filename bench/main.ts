import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { appView } from '../src/core/popover-model.js';
import type { AppView } from '../src/shared/views.js';
import { measureColdStart } from './cold-start.js';
import { startFootprint, type FootprintRun } from './footprint.js';
import { measureIdleCost } from './idle-cost.js';
import { measureInStep } from './in-step.js';
import { measureNoticeLatency } from './notice-latency.js';
import { measurePushFiles } from './push-files.js';
import { measureRenderer } from './renderer.js';
import { isNotMeasured, machine, notMeasured, table, type Row } from './report.js';
import { FULL_SAMPLES, SMOKE_SAMPLES, type Samples } from './samples.js';
import { measureScan } from './scan.js';
import { measureSshReady } from './ssh-ready.js';
import { startBenchWorld, WORKSTATION, type BenchWorld } from './world.js';

const ITEMS = ['notice', 'instep', 'ssh', 'idle', 'scan', 'cli', 'push', 'footprint'] as const;
type Item = (typeof ITEMS)[number];

interface Fallback {
  readonly item: number;
  readonly measure: string;
  readonly target: string;
}

/** What each item is called when it cannot be measured. */
const FALLBACK: Record<Item, Fallback> = {
  notice: { item: 1, measure: 'Notice latency', target: '≤ 0.5 s median' },
  instep: { item: 2, measure: '`rig stop` → the app\'s tray shows it', target: '≤ 1 s after rig returns' },
  ssh: { item: 2, measure: 'SSH-ready latency', target: '≤ 1 s after sshd accepts the key' },
  idle: { item: 3, measure: 'Idle API calls', target: '≤ 60 DescribeInstances/h (1/min)' },
  scan: { item: 4, measure: 'All-region scan', target: '≤ 2× one region\'s call' },
  cli: { item: 5, measure: 'CLI cold start', target: '≤ 0.5× the AWS CLI' },
  push: { item: 7, measure: '`rig push` of 400 one-line files vs `scp -r`', target: '≤ 3× `scp -r`' },
  footprint: { item: 6, measure: 'Idle watcher process', target: '≤ 30 MB over the bare runtime, ~0% CPU' },
};
const RENDERER_FALLBACK: Fallback = { item: 6, measure: 'Renderer bundle and first rendered snapshot', target: '≤ 150 KB gzip; ≤ 100 ms' };

interface Options {
  readonly jsonPath: string | null;
  readonly only: ReadonlySet<Item>;
  readonly strict: boolean;
  readonly samples: Samples;
}

function parse(argv: readonly string[], outdir: string): Options {
  let jsonPath: string | null = null;
  let only = new Set<Item>(ITEMS);
  let strict = false;
  let samples = FULL_SAMPLES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === '--json') {
      if (next !== undefined && !next.startsWith('--')) {
        jsonPath = resolve(next);
        i++;
      } else {
        jsonPath = join(outdir, 'results.json');
      }
    } else if (arg === '--only' && next !== undefined) {
      const wanted = next.split(',');
      const unknown = wanted.filter((w) => !(ITEMS as readonly string[]).includes(w));
      if (unknown.length) throw new Error(`--only: unknown item ${unknown.join(', ')}; use ${ITEMS.join(', ')}`);
      only = new Set(wanted as Item[]);
      i++;
    } else if (arg === '--strict') {
      strict = true;
    } else if (arg === '--smoke') {
      samples = SMOKE_SAMPLES;
    } else {
      throw new Error(`unknown argument ${arg}; use --json [PATH], --only ${ITEMS.join(',')}, --strict, --smoke`);
    }
  }
  if (strict && samples.smoke) throw new Error('--strict judges targets and --smoke judges none; use one of them');
  return { jsonPath, only, strict, samples };
}

/**
 * `npm run bench`: DESIGN.md's performance figures against moto behind the cloud proxy and a real
 * sshd, printed as a table with their targets. Returns the exit code: 0 unless the bench itself
 * failed (or, with --strict, a target was missed). With --smoke every row runs once and no target
 * is judged; the exit code is 1 when any row could not be measured, so CI sees a broken bench.
 */
export async function main(argv: readonly string[], paths: { root: string; outdir: string }): Promise<number> {
  const options = parse(argv, paths.outdir);
  const { samples } = options;
  const started = Date.now();
  const host = machine();
  const log = (text: string): void => void process.stderr.write(`bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
  const rows: Row[] = [];
  const stageSeconds: Record<string, number> = {};

  log('starting moto, the cloud proxy and sshd; launching the workstation');
  const world = await startBenchWorld();
  let footprint: FootprintRun | null = null;
  try {
    // The idle watcher's 60 s window runs in a child process while the other items are measured;
    // it has its own proxy and sshd, and does nothing but wait, so neither disturbs the other.
    if (options.only.has('footprint')) {
      log(`footprint: starting the idle watcher process (${samples.footprintWindowMs / 1000} s window, in the background)`);
      footprint = startFootprint(world, paths.outdir, samples);
      await footprint.started.catch(() => undefined);
    }
    const stages: [Item, string, () => Promise<Row[]>][] = [
      ['notice', `notice latency: ${samples.noticeTransitions} transitions, watcher vs \`aws\` every 2 s`, () => measureNoticeLatency(world, samples)],
      ['instep', 'the tray in step with rig: rig stop → tray', () => measureInStep(world, paths.root, samples)],
      ['ssh', 'ssh-ready latency', () => measureSshReady(world, samples)],
      ['idle', 'idle API cost (accelerated clock)', () => measureIdleCost(world, samples)],
      ['scan', 'all-region scan with +100 ms per call', () => measureScan(world, samples)],
      ['cli', 'CLI cold start', () => measureColdStart(world, paths.root, samples)],
      ['push', 'rig push of 400 small files vs scp -r', () => measurePushFiles(world, paths.root, samples)],
    ];
    for (const [item, title, stage] of stages) {
      if (!options.only.has(item)) continue;
      log(title);
      const stageStart = Date.now();
      rows.push(...(await guarded(FALLBACK[item], stage)));
      stageSeconds[item] = (Date.now() - stageStart) / 1000;
    }
    if (options.only.has('footprint')) {
      log('renderer: bundle size and first rendered snapshot in Chromium');
      const stageStart = Date.now();
      const view = await snapshotView(world).catch(() => null);
      rows.push(...(await guarded(RENDERER_FALLBACK, () => measureRenderer(paths.root, view, samples))));
      stageSeconds.renderer = (Date.now() - stageStart) / 1000;
      log('footprint: waiting for the idle watcher window to close');
      rows.push(...(await guarded(FALLBACK.footprint, () => footprint?.rows ?? Promise.resolve([]))));
    }
  } finally {
    await world.close();
  }

  // A smoke's single samples say nothing about a target: its rows are shown, never judged.
  const ordered = [...rows].sort((a, b) => a.item - b.item).map((row) => (samples.smoke ? { ...row, pass: null } : row));
  const durationS = (Date.now() - started) / 1000;
  log(`done in ${durationS.toFixed(0)} s`);
  process.stdout.write(`\n${table(ordered, samples.smoke ? 'smoke: not judged' : '—')}\n\n`);
  process.stdout.write(`Machine: ${host.cpus} × ${host.cpuModel}, ${host.ramGiB} GiB RAM, node ${host.node}, ${host.platform}; ${host.date}; bench took ${durationS.toFixed(0)} s.\n`);
  if (options.jsonPath) {
    mkdirSync(dirname(options.jsonPath), { recursive: true });
    writeFileSync(options.jsonPath, `${JSON.stringify({ machine: host, smoke: samples.smoke, durationS, stageSeconds, rows: ordered }, null, 2)}\n`);
    process.stdout.write(`Results: ${options.jsonPath}\n`);
  }
  const broken = ordered.filter(isNotMeasured);
  if (samples.smoke) {
    process.stdout.write(broken.length
      ? `Smoke: ${broken.length} of ${ordered.length} rows could not be measured: the bench is broken.\n`
      : `Smoke: all ${ordered.length} rows measured once; no target judged (run without --smoke to measure).\n`);
    return broken.length > 0 ? 1 : 0;
  }
  const missed = ordered.filter((row) => row.pass === false).length;
  return options.strict && missed > 0 ? 1 : 0;
}

/** Runs a stage; a failure becomes a "not measured" row with the reason instead of ending the bench. */
async function guarded(fallback: Fallback, stage: () => Promise<Row[]>): Promise<Row[]> {
  try {
    return await stage();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error);
    process.stderr.write(`bench: ${fallback.measure} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return [notMeasured(fallback.item, fallback.measure, fallback.target, reason)];
  }
}

/** The popover's view of the workstation as it is now, computed by core as the app does. */
async function snapshotView(world: BenchWorld): Promise<AppView> {
  await world.rig.sshd.start();
  const core = world.core();
  const snapshot = await core.service.refresh(WORKSTATION);
  return appView(snapshot, core.settings.read(), Date.now(), { hourlyUsd: 0.526 });
}

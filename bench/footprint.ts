import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createCore } from '../src/adapters/compose.js';
import { startCloudProxy, type CloudProxy } from '../test/fixtures/cloud-proxy.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../test/fixtures/sshd.js';
import { type Row } from './report.js';
import type { Samples } from './samples.js';
import { benchSpec, type BenchWorld } from './world.js';

const IDLE_WORKSTATION = 'idle';
const MB = 1_000_000;

interface ChildReport {
  readonly event: 'ready' | 'done';
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly peakRssKiB: number;
  readonly phase?: string;
  readonly elapsedMs?: number;
  readonly cpuUserMs?: number;
  readonly cpuSystemMs?: number;
}

/** The idle-watcher child of the footprint row, running in the background while other items are measured. */
export interface FootprintRun {
  /** Resolves once the child is watching a `ready` workstation and its window has opened. */
  readonly started: Promise<void>;
  /** The row, once the window (60 s when measuring) has closed. */
  readonly rows: Promise<Row[]>;
}

/**
 * DESIGN.md's target: watching one ready workstation costs ≤ 30 MB RSS above the bare runtime and
 * ~0% CPU between polls. A second workstation, `idle`, runs with its own sshd; a child process
 * (`footprint-child`) runs the tray app's session over real adapters without Electron and watches it
 * through its own cloud proxy, so its polls do not disturb the request counts of the other items.
 * Over a window (60 s when measuring) the child measures its CPU time; this process samples its
 * RSS from /proc every second.
 */
export function startFootprint(world: BenchWorld, outdir: string, samples: Samples): FootprintRun {
  let opened: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const rows = run(world, outdir, opened, samples.footprintWindowMs).catch((error: unknown) => {
    failed(error);
    throw error;
  });
  // Collected later; until then a failure must not count as an unhandled rejection.
  rows.catch(() => undefined);
  started.catch(() => undefined);
  return { started, rows };
}

async function run(world: BenchWorld, outdir: string, opened: () => void, windowMs: number): Promise<Row[]> {
  const home = await mkdtemp(join(tmpdir(), 'cloudrig-bench-idle-'));
  const name = IDLE_WORKSTATION;
  let sshd: Sshd | undefined;
  let proxy: CloudProxy | undefined;
  try {
    // The footprint's boxes launch beside the bench world's: an sshd that took every launch's
    // seeded host key would present another workstation's key. These boxes keep their own key
    // (trust on first use); the footprint does not depend on where the host key comes from.
    sshd = await startSshd({ start: true, followLaunches: false });
    const setup = createCore({ home, env: world.rig.env });
    await setup.service.init({ ...benchSpec(world.rig, name, sshd.port), seedHostKey: false });
    const pem = await readFile(join(home, 'keys', `cloudrig-${name}.pem`), 'utf8');
    await sshd.setAuthorizedKey(publicKeyFromPrivate(pem));
    await setup.service.up(name, { waitSsh: true, timeoutMs: 60_000 });
    proxy = await startCloudProxy({ target: world.rig.cloud.moto.url });
    const childProxy = proxy;

    // Built by the app's own main-process build (bench/run.mjs): the code the app ships.
    const child = spawn(process.execPath, [join(outdir, 'app-main', 'footprint-child.js'), home, name, String(windowMs)], {
      env: { ...world.rig.env, AWS_ENDPOINT_URL: childProxy.url, CLOUDRIG_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const reports: ChildReport[] = [];
    const rssSamples: number[] = [];
    let sampler: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`footprint child exited ${code}: ${stderr.trim()}`))));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const report = JSON.parse(line) as ChildReport;
      reports.push(report);
      if (report.event === 'ready') {
        childProxy.resetCounts();
        sampler = setInterval(() => void sampleRss(child.pid).then((rss) => rss !== null && rssSamples.push(rss)), 1_000);
        opened();
      }
    });
    try {
      await exited;
    } finally {
      clearInterval(sampler);
    }
    const ready = reports.find((r) => r.event === 'ready');
    const done = reports.find((r) => r.event === 'done');
    if (!ready || !done) throw new Error(`footprint child reported no result: ${stderr.trim()}`);
    const polls = childProxy.counts();
    const cpuMs = (done.cpuUserMs ?? 0) + (done.cpuSystemMs ?? 0);
    const cpuPercent = (cpuMs / (done.elapsedMs ?? windowMs)) * 100;
    const maxRss = Math.max(done.rss, ...rssSamples);
    const bare = await bareNodeRss();
    // What the user pays: in the app the watcher lives in the main process, so the increase over
    // the bare runtime is the cost (DESIGN.md).
    const increase = maxRss - bare;
    return [{
      item: 6,
      measure: `Idle watcher process (the app's session built as the app's main, no Electron), ${Math.round((done.elapsedMs ?? windowMs) / 1000)} s, one ready workstation`,
      result: `+${(increase / MB).toFixed(0)} MB over bare node (RSS ${(done.rss / MB).toFixed(0)} MB at the end, ${(maxRss / MB).toFixed(0)} MB max, ` +
        `JS heap ${(done.heapUsed / MB).toFixed(0)} MB; bare node ${(bare / MB).toFixed(0)} MB); CPU ${cpuPercent.toFixed(2)}% (${cpuMs.toFixed(0)} ms in ${polls.DescribeInstances ?? 0} poll + idle)`,
      target: '≤ 30 MB over the bare runtime, ~0% CPU (< 0.5%)',
      pass: increase <= 30 * MB && cpuPercent < 0.5,
      data: { windowMs: done.elapsedMs, maxRss, increase, rssSamples, ready, done, cpuMs, cpuPercent, polls, bareNodeRss: bare, phaseAtEnd: done.phase },
    }];
  } finally {
    await proxy?.close();
    await sshd?.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** A process's resident set in bytes, from /proc; null once it is gone. */
async function sampleRss(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

/** RSS of a node process that only waits a second: the floor under any node-based watcher. */
function bareNodeRss(): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', 'setTimeout(() => console.log(process.memoryUsage().rss), 1000)'], (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout.trim()));
    });
  });
}

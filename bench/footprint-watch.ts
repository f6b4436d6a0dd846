// The footprint row's idle watcher (loaded by footprint-child.ts once V8's memory settings are in
// force, as src/main/start.ts loads the app): the tray app's steady state without Electron. The
// app's main process (src/main/app-shell.ts) builds an AppSession over the real core and adapters and starts
// it; this child does the same over a home with one workstation, with a shell that shows nothing
// (bench/app-ports.ts). Prints one JSON line once the session has settled with the workstation
// `ready` (its view ready, the account scanned, the spend chart read, the first GPU reading in),
// then, after the window, one with its CPU time and memory. Run by footprint.ts as
//   node .bench/app-main/footprint-child.js HOME WORKSTATION WINDOW_MS
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppSession } from '../src/core/app/app-session.js';
import type { AppView } from '../src/shared/views.js';
import { benchSessionPorts } from './app-ports.js';

const [home, name, windowArg] = process.argv.slice(2);
if (!home || !name || !windowArg) throw new Error('usage: footprint-child HOME WORKSTATION WINDOW_MS');
const windowMs = Number(windowArg);

// The watcher runs in a function, as src/main/index.ts boots the app from a call and not from a
// module body that awaits: the build moves each chunk's body into a function whose compiled code
// the first release drops (scripts/main-bundle.mjs), except a body that awaits at its top. This
// chunk holds the whole core; awaited at its top, it kept its 200 KB body's bytecode for good (the
// app's own chunk does not), and the page that held it could strand 3.5 MB of malloc's heap.
async function watch(home: string, name: string, windowMs: number): Promise<void> {
  const session = new AppSession(benchSessionPorts(home, process.env));
  let view: AppView | null = null;
  let viewChanged: () => void = () => undefined;
  session.onDidChangeView((next) => {
    view = next;
    viewChanged();
  });
  session.start();
  // The session watches every workstation in the home: this one must be all there is.
  const names = Object.keys((JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as { workstations: object }).workstations);
  if (names.join(',') !== name) throw new Error(`the home must hold only ${name}, not ${names.join(', ')}`);

  const settled = (current: AppView | null): boolean =>
    current?.workstation?.phase === 'ready' && current.elsewhere != null && current.spendChart != null && current.connect?.gpu != null;
  const deadline = setTimeout(() => {
    throw new Error(`the session did not settle with ${name} ready: ${JSON.stringify({ phase: view?.workstation?.phase, elsewhere: view?.elsewhere, chart: view?.spendChart != null, gpu: view?.connect?.gpu })}`);
  }, 60_000);
  await new Promise<void>((resolve) => {
    viewChanged = () => settled(view) && resolve();
    viewChanged();
  });
  await session.elsewhereSettled();
  clearTimeout(deadline);
  report({ event: 'ready', ...memory() });

  const cpuBefore = process.cpuUsage();
  // process.hrtime, not performance.now(): the global `performance` loads eight of Node's perf
  // modules at its first use, which the app's main process never makes; the row would count them.
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  report({ event: 'done', phase: (view as AppView | null)?.workstation?.phase ?? null, elapsedMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, ...memory() });
  await session.dispose();
  process.exit(0);
}

watch(home, name, windowMs).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

function memory(): Record<string, number> {
  const usage = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, peakRssKiB: kib('VmHWM') };
}

function report(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

// The idle watcher process of item 6 (loaded by footprint-child.ts once V8's memory settings are in
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
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, windowMs));
const cpu = process.cpuUsage(cpuBefore);
const elapsedMs = performance.now() - started;
report({ event: 'done', phase: (view as AppView | null)?.workstation?.phase ?? null, elapsedMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, ...memory() });
await session.dispose();
process.exit(0);

function memory(): Record<string, number> {
  const usage = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, peakRssKiB: kib('VmHWM') };
}

function report(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

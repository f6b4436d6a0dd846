// The idle watcher process of item 6: core + real adapters + the app's FleetWatch over a home with one workstation, nothing else (no
// Electron, no UI). Prints one JSON line when the workstation is `ready`, then, after the window,
// one with its CPU time and memory. Run by footprint.ts as
//   node .bench/footprint-child.mjs HOME WORKSTATION WINDOW_MS
import { readFileSync } from 'node:fs';
import { createCore } from '../src/adapters/compose.js';
import { FleetWatch } from '../src/core/app/fleet-watch.js';
import type { Phase } from '../src/shared/workstation.js';

const [home, name, windowArg] = process.argv.slice(2);
if (!home || !name || !windowArg) throw new Error('usage: footprint-child HOME WORKSTATION WINDOW_MS');
const windowMs = Number(windowArg);

const core = createCore({ home, env: process.env });
// The app's FleetWatch watches every workstation in the home: this one must be all there is.
if (core.service.names().join(',') !== name) throw new Error(`the home must hold only ${name}, not ${core.service.names().join(', ')}`);
let phase = null as Phase | null;
core.service.onDidChange((snapshot) => (phase = snapshot.phase));
const watcher = new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock });
watcher.start();
// As in the app: a change `rig` announces in the home makes the watcher ask EC2 at once.
core.changes.watch(() => watcher.refreshNow());

const deadline = Date.now() + 30_000;
while (phase !== 'ready') {
  if (Date.now() > deadline) throw new Error(`the workstation is ${phase ?? 'unknown'}, not ready`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
// Let the first refresh's sockets close before the window opens.
await new Promise((resolve) => setTimeout(resolve, 1_000));
report({ event: 'ready', ...memory() });

const cpuBefore = process.cpuUsage();
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, windowMs));
const cpu = process.cpuUsage(cpuBefore);
const elapsedMs = performance.now() - started;
report({ event: 'done', phase, elapsedMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, ...memory() });
await watcher.dispose();
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

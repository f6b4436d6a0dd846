import { readStats, STATS_INTERVAL_MS, type StatsReading, validateInteger, validateName, watchStats } from '../core/app/face.js';
import { printable } from '../shared/untrusted-text.js';
import type { CommandRegistrar } from './program.js';
import { jsonText } from './output.js';
import { untilInterrupted, watchFailures } from './remote-session.js';
import { keptSession } from './kept-session.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';

function value(n: number | null, unit: string, digits = 0): string {
  return n === null ? 'n/a' : `${n.toFixed(digits)}${unit}`;
}

/** The reading as lines for a terminal. */
export function statsLines(reading: StatsReading, workstation: string): string[] {
  const lines = [`${workstation} at ${new Date(reading.at).toISOString().slice(11, 19)} UTC`];
  if (reading.gpus) {
    for (const gpu of reading.gpus) {
      const memory = gpu.memoryUsedMiB === null || gpu.memoryTotalMiB === null ? 'n/a' : `${gpu.memoryUsedMiB}/${gpu.memoryTotalMiB} MiB`;
      lines.push(`GPU ${gpu.index}: ${value(gpu.utilizationPercent, '%').padStart(4)} busy · memory ${memory} · ${value(gpu.temperatureC, ' °C')} · ${value(gpu.powerW, ' W', 1)}`);
    }
  }
  // The note may quote nvidia-smi (its error, a line it printed): shown, never obeyed.
  if (reading.gpuNote) lines.push(printable(reading.gpuNote));
  lines.push(`Load: ${reading.load ? `${reading.load.one.toFixed(2)} ${reading.load.five.toFixed(2)} ${reading.load.fifteen.toFixed(2)}` : 'n/a'} · sessions: ${reading.sessions ?? 'n/a'}`);
  return lines;
}

/** `rig stats`: GPU use, memory, temperature and power, plus load and sessions, over the kept-alive connection. */
export const registerStatsCommand: CommandRegistrar = (program, { rig, io }) => {
  program
    .command('stats')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .description('Show GPU utilisation, memory, temperature and power, plus load and logged-in sessions.')
    .option('--json', 'print JSON (one object per reading with --watch)')
    .option('--watch', 'read again every 30 s until Ctrl-C')
    .option('--interval <seconds>', 'seconds between readings with --watch (default 30)', (v) => validateInteger(v, 'statsInterval', 1, 3600))
    .action(async (name: string | undefined, opts: { json?: boolean; watch?: boolean; interval?: number }) => {
      const c = await rig();
      const session = await c.connect.openSession(await workstationFor(c, io, name === undefined ? undefined : validateName(name, 'nameArgument')));
      const workstation = session.target.workstation ?? 'workstation';
      const print = (reading: StatsReading): void => {
        io.stdout.write(opts.json ? `${jsonText({ workstation, ...reading, at: new Date(reading.at).toISOString() })}\n` : `${statsLines(reading, workstation).join('\n')}\n`);
      };
      try {
        // The first reading fails the command (a refused host key, no connection); later ones only warn.
        print(await readStats(session, c.clock));
        if (!opts.watch) return;
        session.onMonitorNote((message) => void io.stderr.write(`note: ${printable(message)}\n`));
        const intervalMs = opts.interval === undefined ? STATS_INTERVAL_MS : opts.interval * 1000;
        const controller = new AbortController();
        const interrupted = untilInterrupted(controller);
        const failures = watchFailures(io.stderr, controller, { session, consequence: 'the stats stopped.' });
        // Back after a sleep or a network change: one line each way, and a reading at once.
        let readNow = (): void => undefined;
        const kept = keptSession(c, session, io, controller.signal, failures.onError, () => readNow());
        await watchStats({
          shell: session,
          clock: c.clock,
          signal: controller.signal,
          intervalMs,
          firstAfterInterval: true,
          readNow: (wake) => (readNow = wake),
          onReading: print,
          onError: kept.quiet(failures.onError),
        });
        await interrupted;
        failures.rethrow();
      } finally {
        await session.close();
      }
    });
};

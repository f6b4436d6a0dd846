import type { GpuView } from '../../shared/views.js';
import type { Clock } from '../ports.js';
import { CloudRigError } from '../errors.js';

/**
 * The GPU at a glance: one ssh exec gathers nvidia-smi's per-GPU readings, the load average and the
 * logged-in sessions; pure parsers turn its output into a reading. A box without nvidia-smi is a
 * reading that says so, not a failure.
 */

/** Runs a command on the workstation over the kept-alive connection (checks the pinned host key). */
export interface RemoteShell {
  exec(command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * For `.catch` on an exec: output past the cap is re-told with the program that printed it, so the
 * fix can name a command the user runs to look (`rig ssh NAME -- PROGRAM | head -n 40`).
 */
export function naming(program: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof CloudRigError && error.fix.action === 'inspect-box-output') {
      throw new CloudRigError(error.code, error.message, { ...error.fix, command: program });
    }
    throw error;
  };
}

/** What `rig stats` and the popover show. */
export interface StatsReading {
  readonly at: number;
  /** null when there is no nvidia-smi (or it failed): `gpuNote` says why. */
  readonly gpus: readonly GpuView[] | null;
  readonly gpuNote: string | null;
  readonly load: { readonly one: number; readonly five: number; readonly fifteen: number } | null;
  /** Logged-in sessions (`who`); null when it could not be read. */
  readonly sessions: number | null;
}

/** The fields asked of nvidia-smi, in the order its CSV gives them. */
export const NVIDIA_SMI_QUERY = 'utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw';

/** How often `--watch` and the app read the stats. */
export const STATS_INTERVAL_MS = 30_000;

const SECTION = '--- cloudrig:';

/**
 * One POSIX sh command that prints each part under a marker line: nvidia-smi's CSV (or that it is
 * missing, or its exit status), the load average and the sessions. Fixed text: no user value in it.
 */
export const STATS_COMMAND = [
  `echo '${SECTION}gpu'`,
  `if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi --query-gpu=${NVIDIA_SMI_QUERY} --format=csv,noheader,nounits 2>&1; echo "${SECTION}gpu-status $?"; else echo '${SECTION}gpu-status missing'; fi`,
  `echo '${SECTION}load'`,
  'cat /proc/loadavg 2>/dev/null',
  `echo '${SECTION}who'`,
  'who 2>/dev/null',
].join('; ');

/** A CSV number, or null for nvidia-smi's `[N/A]`, `[Not Supported]` and the like. */
function numberOrNull(field: string | undefined): number | null {
  const text = (field ?? '').trim();
  if (text === '' || text.startsWith('[') || /^n\/?a$/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * Parses `nvidia-smi --query-gpu=<NVIDIA_SMI_QUERY> --format=csv,noheader,nounits`: one line per
 * GPU, in index order. Throws on a line that does not have the five fields (not nvidia-smi's CSV).
 */
export function parseNvidiaSmiCsv(text: string): GpuView[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line, index) => {
    const fields = line.split(',');
    if (fields.length !== 5) throw new Error(`nvidia-smi printed a line CloudRig cannot read: ${line.slice(0, 80)}`);
    const [utilization, used, total, temperature, power] = fields;
    return {
      index,
      utilizationPercent: numberOrNull(utilization),
      memoryUsedMiB: numberOrNull(used),
      memoryTotalMiB: numberOrNull(total),
      temperatureC: numberOrNull(temperature),
      powerW: numberOrNull(power),
    };
  });
}

/** `/proc/loadavg`'s first three fields. */
export function parseLoadAverage(text: string): StatsReading['load'] {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (one === undefined || five === undefined || fifteen === undefined || ![one, five, fifteen].every(Number.isFinite)) return null;
  return { one, five, fifteen };
}

/** The sections of STATS_COMMAND's output, by marker. */
function sections(stdout: string): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(SECTION)) {
      const [name, ...rest] = line.slice(SECTION.length).trim().split(' ');
      current = name === 'gpu-status' ? null : [];
      parts.set(name ?? '', name === 'gpu-status' ? [rest.join(' ')] : current ?? []);
      continue;
    }
    current?.push(line);
  }
  return parts;
}

/** Turns STATS_COMMAND's output into a reading taken at `at`. */
export function parseStats(stdout: string, at: number): StatsReading {
  const parts = sections(stdout);
  const status = parts.get('gpu-status')?.[0] ?? 'missing';
  const gpuText = (parts.get('gpu') ?? []).join('\n');
  let gpus: GpuView[] | null = null;
  let gpuNote: string | null = null;
  if (status === 'missing') {
    gpuNote = 'No nvidia-smi on the workstation (no NVIDIA driver, or not on PATH): no GPU readings.';
  } else if (status !== '0') {
    const said = gpuText.trim().split('\n')[0]?.slice(0, 160) ?? '';
    gpuNote = `nvidia-smi failed (exit ${status})${said ? `: ${said}` : ''}.`;
  } else {
    try {
      gpus = parseNvidiaSmiCsv(gpuText);
      if (gpus.length === 0) gpuNote = 'nvidia-smi lists no GPU.';
    } catch (error) {
      gpus = null;
      gpuNote = `${(error as Error).message}.`;
    }
  }
  const who = parts.get('who');
  return {
    at,
    gpus,
    gpuNote,
    load: parseLoadAverage((parts.get('load') ?? []).join('\n')),
    sessions: who === undefined ? null : who.filter((line) => line.trim() !== '').length,
  };
}

/** Reads the stats once over `shell`. */
export async function readStats(shell: RemoteShell, clock: Clock, timeoutMs = 20_000): Promise<StatsReading> {
  const { stdout } = await shell.exec(STATS_COMMAND, timeoutMs).catch(naming('nvidia-smi'));
  return parseStats(stdout, clock.now());
}

/**
 * Reads the stats now (or, with `firstAfterInterval`, after one interval) and then every
 * `intervalMs` until `signal` aborts. A failed read (the connection dropped) is reported and the
 * next one tries again; `readNow` hands over a function that takes the next reading at once (a
 * connection just came back).
 */
export async function watchStats(options: {
  readonly shell: RemoteShell;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly onReading: (reading: StatsReading) => void;
  readonly onError: (error: unknown) => void;
  readonly intervalMs?: number;
  readonly firstAfterInterval?: boolean;
  readonly readNow?: (wake: () => void) => void;
}): Promise<void> {
  const { clock, signal } = options;
  let nap: AbortController | null = null;
  let woken = false;
  options.readNow?.(() => {
    woken = true;
    nap?.abort();
  });
  const pause = async (): Promise<void> => {
    if (signal.aborted) return;
    if (woken) return void (woken = false);
    nap = new AbortController();
    const stop = (): void => nap?.abort();
    signal.addEventListener('abort', stop, { once: true });
    await clock.sleep(options.intervalMs ?? STATS_INTERVAL_MS, nap.signal);
    signal.removeEventListener('abort', stop);
    nap = null;
    woken = false;
  };
  if (options.firstAfterInterval) await pause();
  while (!signal.aborted) {
    try {
      options.onReading(await readStats(options.shell, clock));
    } catch (error) {
      if (signal.aborted) break;
      options.onError(error);
    }
    await pause();
  }
}

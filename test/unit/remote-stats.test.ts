import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLoadAverage, parseNvidiaSmiCsv, parseStats, STATS_COMMAND, watchStats, type RemoteShell, type StatsReading } from '../../src/core/app/stats.js';
import { FakeClock } from './support/fake-clock.js';

const csv = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', name), 'utf8');

/** What STATS_COMMAND prints on a box, section by section. */
function output(gpu: { csv: string; status: string } | 'missing', load = '0.52 0.58 0.59 1/321 4242', who = 'ubuntu   pts/0        2026-11-29 21:02 (203.0.113.7)\n'): string {
  const gpuPart = gpu === 'missing' ? '--- cloudrig:gpu-status missing\n' : `${gpu.csv}--- cloudrig:gpu-status ${gpu.status}\n`;
  return `--- cloudrig:gpu\n${gpuPart}--- cloudrig:load\n${load}\n--- cloudrig:who\n${who}`;
}

describe('GPU stats', () => {
  it('reads nvidia-smi CSV from a one-GPU box (g4dn.xlarge, idle T4)', () => {
    expect(parseNvidiaSmiCsv(csv('g4dn-xlarge-1-gpu.csv'))).toEqual([
      { index: 0, utilizationPercent: 0, memoryUsedMiB: 0, memoryTotalMiB: 15360, temperatureC: 27, powerW: 13.96 },
    ]);
  });

  it('reads four GPUs in index order, a [N/A] field as no reading', () => {
    const gpus = parseNvidiaSmiCsv(csv('g4dn-12xlarge-4-gpus.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(gpus[1]).toEqual({ index: 1, utilizationPercent: 92, memoryUsedMiB: 11230, memoryTotalMiB: 15360, temperatureC: 64, powerW: 61.45 });
    expect(gpus[3]?.powerW).toBeNull();
  });

  it('refuses a line that is not the five asked-for fields, rather than guessing', () => {
    expect(() => parseNvidiaSmiCsv('No devices were found\n')).toThrow(/nvidia-smi printed a line CloudRig cannot read: No devices were found/);
  });

  it('turns the whole command output into a reading: GPUs, load and sessions', () => {
    const reading = parseStats(output({ csv: csv('g4dn-12xlarge-4-gpus.csv'), status: '0' }), 1_000);
    expect(reading).toMatchObject({ at: 1_000, gpuNote: null, load: { one: 0.52, five: 0.58, fifteen: 0.59 }, sessions: 1 });
    expect(reading.gpus).toHaveLength(4);
  });

  it('a box without nvidia-smi says so plainly and still has load and sessions', () => {
    const reading = parseStats(output('missing', '0.00 0.01 0.05 1/100 7', ''), 0);
    expect(reading).toEqual({
      at: 0, gpus: null, gpuNote: 'No nvidia-smi on the workstation (no NVIDIA driver, or not on PATH): no GPU readings.',
      load: { one: 0, five: 0.01, fifteen: 0.05 }, sessions: 0,
    });
  });

  it('an nvidia-smi that fails is reported with its exit status and first line', () => {
    const reading = parseStats(output({ csv: 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n', status: '9' }), 0);
    expect(reading.gpus).toBeNull();
    expect(reading.gpuNote).toBe('nvidia-smi failed (exit 9): NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver..');
  });

  it('an unreadable load average is no reading, not a NaN', () => {
    expect(parseLoadAverage('')).toBeNull();
    expect(parseLoadAverage('x y z')).toBeNull();
  });

  it('asks nvidia-smi for exactly the fields it parses, as CSV without header or units', () => {
    expect(STATS_COMMAND).toContain('nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits');
  });

  it('--watch reads every interval on the clock, and a failed read is reported while the next one still comes', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const results: (string | Error)[] = [output('missing'), new Error('connection reset'), output('missing')];
    const shell: RemoteShell = {
      exec: async () => {
        const next = results.shift() ?? output('missing');
        if (next instanceof Error) throw next;
        return { code: 0, stdout: next, stderr: '' };
      },
    };
    const readings: StatsReading[] = [];
    const errors: unknown[] = [];
    const done = watchStats({ shell, clock, signal: controller.signal, intervalMs: 30_000, onReading: (r) => readings.push(r), onError: (e) => errors.push(e) });
    await untilTrue(() => readings.length === 1);
    clock.advance(30_000);
    await untilTrue(() => errors.length === 1);
    expect(readings).toHaveLength(1);
    clock.advance(30_000);
    await untilTrue(() => readings.length === 2);
    expect(readings[1]!.at - readings[0]!.at).toBe(60_000);
    controller.abort();
    await done;
  });
});

/** Lets pending promises run until `condition` holds (no timers involved: the clock is fake). */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await Promise.resolve();
  expect(condition()).toBe(true);
}

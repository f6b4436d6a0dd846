import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followSetup, parseSetupStatus, SETUP_LINE_BYTES, SETUP_LINES_PER_READ, setupStatusCommand } from '../../src/core/app/setup-script.js';

// The status command the app and `rig up` run on the box (POSIX sh), against a scratch setup dir:
// which state each marker file means, including a marker caught while cloud-init writes it.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudrig-setup-status-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function state(): unknown {
  const result = spawnSync('sh', ['-c', setupStatusCommand(1, dir)], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return parseSetupStatus(result.stdout)?.state;
}

describe('the setup status on the box', () => {
  it('is none before the runner starts, running in the boot it started in, done with the exit status', () => {
    expect(state()).toEqual({ kind: 'none' });
    writeFileSync(join(dir, 'started'), readFileSync('/proc/sys/kernel/random/boot_id'));
    expect(state()).toEqual({ kind: 'running' });
    writeFileSync(join(dir, 'exit'), '6\n');
    expect(state()).toEqual({ kind: 'done', exitCode: 6 });
  });

  it('is interrupted when the marker names another boot (the machine stopped while the script ran)', () => {
    writeFileSync(join(dir, 'started'), '0b1e2c3d-aaaa-bbbb-cccc-000000000000\n');
    expect(state()).toEqual({ kind: 'interrupted' });
  });

  it('is running, not cut off, while the marker is still empty (caught between its creation and its write)', () => {
    writeFileSync(join(dir, 'started'), '');
    expect(state()).toEqual({ kind: 'running' });
  });
});

describe('following a setup log far larger than one answer', () => {
  it('reads it to the end in bounded answers, an endless line shown cut, every other line once and in order', async () => {
    writeFileSync(join(dir, 'started'), readFileSync('/proc/sys/kernel/random/boot_id'));
    // 3,000 lines with one 2 MB line (a progress bar that never ends its line) among them: the whole
    // log in one answer would be 5 MB and one line alone past the per-line bound.
    const lines = Array.from({ length: 3000 }, (_, index) => (index === 10 ? 'x'.repeat(2_000_000) : `line ${index} ${'y'.repeat(1000)}`));
    writeFileSync(join(dir, 'setup.log'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'exit'), '0\n');
    const answers: number[] = [];
    const shell = {
      exec: async (command: string) => {
        const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        answers.push(Buffer.byteLength(result.stdout));
        return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
      },
    };
    const clock = { now: () => 0, sleep: async () => {} };
    const seen: string[] = [];
    const outcome = await followSetup({ shell, clock, dir, mode: 'fresh', onLine: (line) => seen.push(line) });

    expect(outcome).toEqual({ kind: 'succeeded' });
    // Compared by count and first difference: a diff of 3 MB of lines would drown the report.
    expect(seen.length).toBe(3000);
    expect(seen[10] === 'x'.repeat(SETUP_LINE_BYTES)).toBe(true);
    const firstDifference = seen.findIndex((line, index) => index !== 10 && line !== lines[index]);
    expect(firstDifference).toBe(-1);
    expect(Math.max(...answers)).toBeLessThan(SETUP_LINES_PER_READ * (SETUP_LINE_BYTES + 1) + 100);
    expect(answers.length).toBeGreaterThanOrEqual(Math.ceil(3000 / SETUP_LINES_PER_READ));
  });
});

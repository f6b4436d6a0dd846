import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSetupStatus, setupStatusCommand } from '../../src/core/app/setup-script.js';

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

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsOwnProcess, runRigInProcess } from '../support/rig-in-process.js';

// The harness that runs `rig` inside the test process (test/support/rig-in-process.ts): it must give a
// command the environment it was handed and nothing else, leave the process's own alone (so runs may
// overlap), and refuse what only a process of its own can run rather than run it wrongly.

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-inprocess-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('rig in-process', () => {
  it('runs with exactly the environment it is given, collects what rig prints, and leaves the process environment and exitCode alone', async () => {
    const before = JSON.stringify(process.env);
    const result = await runRigInProcess(['status'], { CLOUDRIG_HOME: home, PATH: process.env.PATH });
    expect(result.code).toBe(1);
    // The home it was given (empty), not the test process's: rig says nothing is set up there.
    expect(result.stderr).toMatch(/^error: No workstation is set up yet\. Fix: Run `rig init/);
    expect(result.stdout).toBe('');
    expect(JSON.stringify(process.env)).toBe(before);
    expect(process.exitCode).toBeUndefined();
  });

  it('prints help to its own stdout with exit code 0', async () => {
    const result = await runRigInProcess(['--help'], { CLOUDRIG_HOME: home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: rig /);
  });

  it('lets two runs overlap, each with its own environment and its own output', async () => {
    const other = await mkdtemp(join(tmpdir(), 'cloudrig-inprocess-other-'));
    try {
      const [first, second] = await Promise.all([
        runRigInProcess(['status'], { CLOUDRIG_HOME: home }),
        runRigInProcess(['--version'], { CLOUDRIG_HOME: other }),
      ]);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(/No workstation is set up yet/);
      expect(first.stdout).toBe('');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(second.stderr).toBe('');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('leaves to a process of its own the commands that need one, and refuses to run them here', async () => {
    expect(needsOwnProcess(['ssh', '--', 'true'], {})).toBe(true);
    expect(needsOwnProcess(['code', 'gpu'], {})).toBe(true);
    expect(needsOwnProcess(['tunnel', '8888'], {})).toBe(true);
    expect(needsOwnProcess(['--debug', 'status'], {})).toBe(true);
    expect(needsOwnProcess(['status'], { CLOUDRIG_DEBUG: '1' })).toBe(true);
    expect(needsOwnProcess(['stats', '--watch'], {})).toBe(true);
    expect(needsOwnProcess(['--home', '/x', 'ssh'], {})).toBe(true);
    expect(needsOwnProcess(['--home', '/x', 'status', '--json'], {})).toBe(false);
    await expect(runRigInProcess(['ssh'], { CLOUDRIG_HOME: home })).rejects.toThrow(/needs a process of its own/);
  });
});

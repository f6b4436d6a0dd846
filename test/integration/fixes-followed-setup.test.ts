import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand, onTerminal, setupOnBox } from '../support/followed-fix.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { rigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

// A setup script cut off by a stop, its `Fix:` followed exactly as printed: the printed `rig ssh`
// logs in on a terminal to run the rest by hand, and the printed down and up run the script on a
// fresh instance. Against moto + the cloud proxy + sshd, through the CLI; the box's side of the
// script is written where rig reads it (CLOUDRIG_SETUP_DIR), as cloud-init leaves it.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('a fix followed as printed gets the command further (a setup script cut off)', () => {
  it(followed('SetupScriptIncomplete', 'a setup script cut off by a stop: the printed rig ssh logs in to run the rest by hand, and the printed down and up run it whole on a fresh instance'), async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'cloudrig-setup-'));
    const script = join(scratch, 'setup.sh');
    await writeFile(script, '#!/bin/bash\npip install torch\n');
    ok(await world.rig(initArgs(world, ['--setup', script])));
    await world.trustWorkstationKey();
    const box = join(scratch, 'box');
    await setupOnBox(box, 'Collecting torch\n', null);
    // Started on an earlier boot and never ended: the instance stopped while it ran.
    await writeFile(join(box, 'started'), '00000000-0000-4000-8000-000000000000\n');
    const env = { CLOUDRIG_SETUP_DIR: box };

    const up = await world.rig(['up'], { env });
    expect(up.code, up.stdout).toBe(1);
    expect(up.stderr).toMatch(/^error: The setup script was cut off: the instance stopped while it ran\./m);
    const login = fixCommand(up.stderr);
    expect(login).toEqual(['ssh', 'gpu']);
    // Logged in on a terminal, the rest run by hand.
    const shell = rigOnPty(login, { ...world.env, CLOUDRIG_HOME: world.home });
    const marker = join(scratch, 'by-hand');
    await waitUntil('a shell prompt on the box', () => /[#$] $/m.test(shell.output()), 60_000);
    shell.type(`cat ${join(box, 'setup.log')} && echo rest > ${marker} && exit\r`);
    const { code, output } = await shell.exited;
    expect(code, output).toBe(0);
    expect(output).toContain('Collecting torch');
    expect(await readFile(marker, 'utf8')).toBe('rest\n');

    const down = fixCommand(up.stderr, 1);
    expect(down).toEqual(['down', 'gpu']);
    const ended = await onTerminal(world, down, ['n', 'y']);
    expect(ended.code, ended.output).toBe(0);
    // The fresh instance's first boot runs the script to its end.
    await setupOnBox(box, 'Collecting torch\nSuccessfully installed torch\n', 0);
    const again = fixCommand(up.stderr, 2);
    expect(again).toEqual(['up', 'gpu']);
    const fresh = ok(await world.rig(again, { env }));
    expect(fresh.stdout).toContain('Successfully installed torch');
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready', setupFailure: null });
    await rm(scratch, { recursive: true, force: true });
  });
});

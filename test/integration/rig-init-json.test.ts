import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';

// `rig init --json`, through the CLI against moto + the cloud proxy: stdout is the one object the
// README documents, saying what was saved and created; the lines for people go to stderr.
const world = useRigWorld({ eachTest: { init: false } });

/** stdout parsed as the one JSON value it must be (the whole of it, nothing before or after). */
function parsed(result: RigResult): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('rig init --json', () => {
  it('a new workstation: the spec as saved, the key pair and security group it created, the key file and the next command', async () => {
    const result = await world.rig(initArgs(world, ['--disk', '120', '--idle-minutes', '45', '--cidr', '198.51.100.0/24', '--json']));
    const init = parsed(result);
    expect(init).toEqual({
      name: 'gpu',
      region: 'us-east-1',
      instanceType: 'g4dn.xlarge',
      spot: false,
      image: { kind: 'parameter', path: expect.stringMatching(/^\/aws\/service\//) as unknown },
      diskGiB: 120,
      ingressCidr: '198.51.100.0/24',
      idleMinutes: 45,
      setupScript: false,
      created: ['key-pair', 'security-group'],
      keyPath: join(world.home, 'keys', 'cloudrig-gpu.pem'),
      warnings: [],
      next: 'rig up gpu',
    });
    expect((await stat(init.keyPath as string)).mode & 0o777).toBe(0o600);
    // The summary for people is on stderr, so a script reads stdout alone.
    expect(result.stderr).toMatch(/^Workstation gpu: g4dn\.xlarge in us-east-1, ssh from 198\.51\.100\.0\/24, stops after 45 idle minutes\.$/m);
    expect(result.stderr).toMatch(/^Next: `rig up gpu` starts it/m);
    // What it says was saved is what status reads back.
    expect(await world.statusJson()).toMatchObject({ name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', state: 'absent' });
  });

  it('run again with nothing new to make: created is empty and the changed setting is saved', async () => {
    expect(parsed(await world.rig(initArgs(world, ['--json']))).created).toEqual(['key-pair', 'security-group']);
    const again = parsed(await world.rig(['init', '--idle-minutes', '90', '--json']));
    expect(again).toMatchObject({ name: 'gpu', created: [], idleMinutes: 90, warnings: [] });
  });

  it('a key replaced while an instance runs: the warning names it, with the fix worded and as data', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const { instanceId } = await world.statusJson();
    await rm(join(world.home, 'keys'), { recursive: true, force: true });

    const init = parsed(await world.rig(initArgs(world, ['--new-key', '--json'])));
    expect(init.created).toEqual(['key-pair']);
    expect(init.warnings).toEqual([{
      message: `${instanceId as string} (running) was launched with the key pair whose private key is lost, so nobody can log in to it.`,
      fix: expect.stringContaining('`rig down gpu --save-image --yes`') as unknown,
      remedy: { action: 'replace-stranded-instance', name: 'gpu' },
    }]);
  });
});

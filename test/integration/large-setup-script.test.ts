import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestOfForm, setUpWorkstation } from '../../src/core/app/workstation-setup.js';
import { DEFAULT_FORM } from '../../src/core/settings-view.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import { USER_DATA_MAX_BYTES } from '../../src/adapters/user-data.js';
import { onInstanceLaunch, userDataParts, userDataText } from '../fixtures/instance-boot.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// An 8 KB setup script (sent as text, it made the launch's user data 22 KB, over EC2's 16 KB), most
// of it random data (a key or an archive carried as base64, which compression shrinks least),
// beside the idle watchdog and the seeded host key: it must launch, through `rig init` and `rig up`
// against moto + the cloud proxy + a real sshd. The launch sends its user data gzip-compressed, as
// cloud-init documents; the test plays cloud-init on the box: the fixture decompresses it, sshd
// takes the seeded host key, and the setup part runs under bash. A script that cannot fit even
// compressed is refused when it is saved (rig init, the app's form), never at `rig up`.
const world = useRigWorld({ eachTest: { init: false } });

/** An exactly `bytes`-long setup script: a little shell around a base64 payload of random bytes; and the payload's sha256 as the box prints it. */
function scriptWithRandomPayload(bytes: number): { text: string; payloadSha256: string } {
  const head = '#!/bin/bash\nset -euo pipefail\necho "setup: unpacking the payload"\npayload="$(cat <<\'PAYLOAD\'\n';
  const tail = 'PAYLOAD\n)"\necho "setup: payload sha256 $(printf \'%s\\n\' "$payload" | sha256sum | cut -d\' \' -f1)"\necho "setup: done"\n';
  const room = bytes - head.length - tail.length;
  // 76-character lines, as base64(1) writes them; the last line is cut to land on `bytes` exactly.
  const lines = (randomBytes(room).toString('base64').match(/.{1,76}/g) ?? []).join('\n').slice(0, room - 1);
  const text = `${head}${lines}\n${tail}`;
  expect(Buffer.byteLength(text)).toBe(bytes);
  return { text, payloadSha256: createHash('sha256').update(`${lines}\n`).digest('hex') };
}

let box: string;
let stopPlayingCloudInit: () => void = () => undefined;
const setupRuns: Promise<number>[] = [];
beforeEach(async () => {
  box = await mkdtemp(join(tmpdir(), 'cloudrig-large-setup-'));
});
afterEach(async () => {
  stopPlayingCloudInit();
  await Promise.all(setupRuns.splice(0));
  await rm(box, { recursive: true, force: true });
});

/** cloud-init on the box: each launch's setup part (from the decompressed multipart user data) runs under bash, its files in `dir`. */
function runSetupPartOnLaunch(dir: string): void {
  stopPlayingCloudInit = onInstanceLaunch(async (userData) => {
    const setup = userDataParts(userData).find((part) => part.filename === 'cloudrig-setup.sh');
    if (!setup) return;
    const runner = join(box, 'cloudrig-setup.sh');
    await writeFile(runner, setup.content, { mode: 0o700 });
    // Started, not awaited: the instance boots on while EC2 answers the launch.
    setupRuns.push(new Promise((resolve) => {
      spawn('bash', [runner], { env: { ...process.env, CLOUDRIG_SETUP_DIR: dir }, stdio: 'ignore' }).on('close', (code) => resolve(code ?? 1));
    }));
  });
}

/** The instance's user data as EC2 stores it (DescribeInstanceAttribute), in raw bytes. */
async function storedUserData(instanceId: string): Promise<Buffer> {
  const ec2 = world.ec2();
  try {
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
    return Buffer.from(attribute.UserData?.Value ?? '', 'base64');
  } finally {
    ec2.destroy();
  }
}

describe('a large setup script in the launch user data', () => {
  it('an 8 KB script, mostly random base64, launches through rig init and rig up, and the box runs all of it', async () => {
    const { text, payloadSha256 } = scriptWithRandomPayload(8_192);
    const scriptFile = join(box, 'setup.sh');
    await writeFile(scriptFile, text);
    const dir = join(box, 'setup');
    runSetupPartOnLaunch(dir);

    const init = await world.rig(initArgs(world, ['--setup', scriptFile]));
    expect(init.code, init.stderr).toBe(0);
    await world.trustWorkstationKey();
    const up = await world.rig(['up'], { env: { CLOUDRIG_SETUP_DIR: dir } });
    expect(up.code, up.stderr).toBe(0);
    // The whole script arrived: the box hashed the payload it unpacked, and it is the one sent.
    expect(up.stdout).toContain(`setup| setup: payload sha256 ${payloadSha256}`);
    expect(up.stdout).toContain('setup| setup: done');
    expect(up.stdout).toContain('The setup script finished.');

    // EC2 holds it gzip-compressed, within its limit; decompressed, the script is in it once, next to the watchdog and the host key.
    const stored = await storedUserData(String((await world.statusJson()).instanceId));
    expect([...stored.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(stored.length).toBeLessThanOrEqual(USER_DATA_MAX_BYTES);
    const parts = userDataParts(userDataText(stored));
    expect(parts.map((part) => part.filename)).toEqual(['cloudrig-host-key.yaml', 'cloudrig-idle-watchdog.sh', 'cloudrig-setup.sh']);
    expect(parts[2]!.content.split(text).length - 1).toBe(1);
    expect(await readFile(join(dir, 'exit'), 'utf8')).toBe('0\n');
  });

  it('rig init refuses a script that cannot fit even compressed, in one line with its fix, and saves nothing', async () => {
    // 16 KB of random base64 compresses to about 12 KB: with the watchdog and the host key, over 16 KB.
    const { text } = scriptWithRandomPayload(16_384);
    const scriptFile = join(box, 'setup.sh');
    await writeFile(scriptFile, text);
    world.cloud.proxy.resetCounts();

    const init = await world.rig(initArgs(world, ['--setup', scriptFile]));
    expect(init.code).toBe(1);
    expect(init.stdout).toBe('');
    const lines = init.stderr.trim().split('\n');
    expect(lines, init.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: The setup script does not fit in the launch's user data: with the idle watchdog and the host key it needs about \d{5} bytes gzip-compressed, and EC2 takes at most 16384\. Fix: --setup: make it about \d+ bytes smaller once compressed: have it download what it carries \(archives, keys, base64 data\)\.$/);
    // Refused before anything is made: no key pair, no security group, no settings.
    expect(world.cloud.proxy.counts()).not.toHaveProperty('CreateKeyPair');
    expect(world.cloud.proxy.counts()).not.toHaveProperty('CreateSecurityGroup');
    await expect(readFile(join(world.home, 'settings.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("the app's Save refuses the same script with the fix naming the setup script field", async () => {
    const { text } = scriptWithRandomPayload(16_384);
    const saving = setUpWorkstation(world.core(), requestOfForm({ ...DEFAULT_FORM, setupScript: text }));
    const refused = await saving.then(() => null, (error: unknown) => error as { code: string; message: string; fix: Parameters<typeof appFix>[0] });
    expect(refused).toMatchObject({ code: 'UserDataTooLarge', message: expect.stringMatching(/^The setup script does not fit in the launch's user data/) });
    expect(appFix(refused!.fix)).toMatch(/^Settings → Workstation → Setup script: make it about \d+ bytes smaller once compressed/);
    await expect(readFile(join(world.home, 'settings.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

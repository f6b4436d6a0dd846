import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planIngress } from '../../src/core/address-drift.js';
import { hostKeyCloudConfig, seededPin, seededPublicKeyOf } from '../../src/core/host-keys.js';
import { parseSetupStatus, setupOutcomeWords } from '../../src/core/app/setup-script.js';
import { compressedUserData, HOST_KEY_SLACK_BYTES, launchUserData, multipartUserData, refuseSetupScriptThatCannotFit, USER_DATA_MAX_BYTES } from '../../src/adapters/user-data.js';
import { ed25519FromSeed } from '../../src/adapters/ssh/derived-host-keys.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';
import { cliFix } from '../../src/cli/fix-wording.js';
import { appFix } from '../../src/shared/app-fix-wording.js';

const KEY = {
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJTjHWw//y0zSevQvIel4fBqmk4lzRQsDm4AXnbKSls',
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n',
};

function spec(extra: Record<string, unknown> = {}) {
  return WorkstationSpecSchema.parse({ name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', image: { kind: 'ami', imageId: 'ami-1' }, ingressCidr: '203.0.113.7/32', ...extra });
}

describe('launch user data', () => {
  it('carries the seeded key as cloud-config, the watchdog and the setup runner as multipart parts, each once', () => {
    const userData = launchUserData(spec({ setupScript: 'echo hi\n' }), { hostKey: KEY })!;
    expect(userData.startsWith('Content-Type: multipart/mixed; boundary="==CLOUDRIG-USER-DATA=="\nMIME-Version: 1.0\n')).toBe(true);
    expect(userData.match(/^--==CLOUDRIG-USER-DATA==$/gm)).toHaveLength(3);
    expect(userData.endsWith('--==CLOUDRIG-USER-DATA==--\n')).toBe(true);
    expect(userData).toContain('Content-Type: text/cloud-config');
    expect(seededPublicKeyOf(userData)).toBe(KEY.publicKey);
    expect(userData.split('echo hi').length - 1).toBe(1);
  });

  it('without a key and a setup script it stays the plain watchdog script; nothing at all is null', () => {
    expect(launchUserData(spec())).toMatch(/^#!\/bin\/bash\n# cloudrig-idle-watchdog/);
    expect(launchUserData(spec({ autoStop: { enabled: false, idleMinutes: 60, gpuBusyPercent: 10 } }))).toBeNull();
    expect(multipartUserData([])).toBeNull();
  });

  it('is sent gzip-compressed: the same text always gives the same bytes, which decompress to it', () => {
    const userData = launchUserData(spec({ setupScript: 'echo hi\n' }), { hostKey: KEY })!;
    const sent = compressedUserData(userData);
    expect([...sent.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(compressedUserData(userData).equals(sent)).toBe(true);
    expect(gunzipSync(sent).toString('utf8')).toBe(userData);
    expect(sent.length).toBeLessThan(userData.length / 2);
  });

  it('a 16 KB script of ordinary shell fits once compressed, though its text alone fills EC2\'s 16 KB', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `sudo apt-get install -y --no-install-recommends package-${i} && echo "installed ${i}"`);
    const script = `#!/bin/bash\n${lines.join('\n')}\n`.slice(0, 16_384);
    const userData = launchUserData(spec({ setupScript: script }), { hostKey: KEY })!;
    expect(userData.length).toBeGreaterThan(USER_DATA_MAX_BYTES);
    expect(compressedUserData(userData).length).toBeLessThan(USER_DATA_MAX_BYTES);
    expect(() => refuseSetupScriptThatCannotFit(spec({ setupScript: script }))).not.toThrow();
  });

  it('refuses user data whose compressed bytes are over EC2\'s 16 KB, at launch with a fix naming rig init --setup, and at save naming the field', () => {
    // Random data as base64: no compression takes it much below three quarters of its text.
    const script = `: '${randomBytes(12_000).toString('base64')}'\n`;
    const tooLarge = { ...spec(), setupScript: script };
    expect(() => launchUserData(tooLarge, { hostKey: KEY })).toThrow(/is \d+ bytes gzip-compressed; EC2 takes at most 16384/);
    expect(() => refuseSetupScriptThatCannotFit(tooLarge)).toThrow(expect.objectContaining({
      code: 'UserDataTooLarge',
      fix: expect.objectContaining({ action: 'correct-input', field: 'setupScript' }),
    }));
  });

  it('the room kept at save for the launch\'s own host key covers how differently random keys compress', () => {
    const script = `: '${randomBytes(6_000).toString('base64')}'\n`;
    const sizes = Array.from({ length: 100 }, () => compressedUserData(launchUserData(spec({ setupScript: script }), { hostKey: ed25519FromSeed(randomBytes(32)) })!).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(HOST_KEY_SLACK_BYTES);
  });

  it('the cloud-config installs only the seeded key; its pin is verified, for the instance, at any address', () => {
    const config = hostKeyCloudConfig(KEY);
    expect(config).toMatch(/^#cloud-config\n/);
    expect(config).toContain('  ed25519_private: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    b3BlbnNzaC1rZXktdjE=\n    -----END OPENSSH PRIVATE KEY-----\n');
    expect(config).toContain('ssh_genkeytypes: []');
    expect(seededPin('i-1', KEY)).toEqual({ host: '*', port: 22, keys: [KEY.publicKey], instanceId: 'i-1', trust: 'verified' });
  });

  it('the settings schema refuses an empty or oversized setup script', () => {
    expect(WorkstationSpecSchema.safeParse({ ...spec(), setupScript: ' \n' }).success).toBe(false);
    expect(WorkstationSpecSchema.safeParse({ ...spec(), setupScript: 'é'.repeat(8_193) }).success).toBe(false);
    expect(WorkstationSpecSchema.safeParse({ ...spec(), setupScript: 'echo ok' }).success).toBe(true);
  });
});

describe('setup status', () => {
  it('gives complete lines only while running, and the last partial line once done', () => {
    expect(parseSetupStatus('cloudrig-setup-state=running\na\nb\npart')).toEqual({ state: { kind: 'running' }, lines: ['a', 'b'] });
    expect(parseSetupStatus('cloudrig-setup-state=done:2\na\npart')).toEqual({ state: { kind: 'done', exitCode: 2 }, lines: ['a', 'part'] });
    expect(parseSetupStatus('cloudrig-setup-state=none\n')).toEqual({ state: { kind: 'none' }, lines: [] });
    expect(parseSetupStatus('Welcome to Ubuntu\n')).toBeNull();
  });

  it('words a success with the Save image suggestion and a failure with its last lines', () => {
    const succeeded = setupOutcomeWords('gpu', { kind: 'succeeded' });
    expect(succeeded.next).toEqual({ action: 'save-setup-image', name: 'gpu' });
    expect(cliFix(succeeded.next!)).toContain('rig down gpu --save-image');
    expect(appFix(succeeded.next!)).toContain('Save image');
    const failed = setupOutcomeWords('gpu', { kind: 'failed', exitCode: 1, lastLines: ['boom'] });
    expect(failed).toMatchObject({ ok: false });
    expect(failed.message).toBe('The setup script failed (exit 1). Its last lines:\n  boom');
  });
});

describe('ingress plan', () => {
  it('revokes only CloudRig\'s rules for other ranges and keeps the rest', () => {
    const rules = [
      { cidr: '203.0.113.7/32', description: 'CloudRig ssh' },
      { cidr: '192.0.2.0/24', description: 'office' },
      { cidr: '198.51.100.1/32', description: null },
    ];
    expect(planIngress(rules, '198.51.100.9/32')).toEqual({ admit: true, revoke: ['203.0.113.7/32'], kept: ['192.0.2.0/24', '198.51.100.1/32'] });
    expect(planIngress(rules, '203.0.113.7/32')).toEqual({ admit: false, revoke: [], kept: ['192.0.2.0/24', '198.51.100.1/32'] });
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { SSH_CIPHERS_NOT_OFFERED, Ssh2Client } from '../../src/adapters/ssh/ssh2-client.js';
import type { SshTarget } from '../../src/core/ports.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';

// CloudRig's ssh never offers chacha20-poly1305: the app's and rig's bundles carry ssh2 without the
// WebAssembly it needs (scripts/main-bundle.mjs). Checked with the real sshd, each time through
// ssh2 as installed (Poly1305 and all), so an offer would be taken.

let sshd: Sshd | undefined;
let dir = '';
afterEach(async () => {
  await sshd?.close();
  sshd = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An sshd with these extra config lines that takes a fresh key, and the target that logs in with it. */
async function boxWith(config: readonly string[]): Promise<SshTarget> {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-ciphers-'));
  const keys = utils.generateKeyPairSync('ed25519');
  const keyPath = join(dir, 'key');
  await writeFile(keyPath, keys.private, { mode: 0o600 });
  sshd = await startSshd({ authorizedKey: keys.public, followLaunches: false, config });
  return { host: sshd.host, port: sshd.port, user: sshd.user, keyPath, knownHostsPath: join(dir, 'known_hosts') };
}

describe("CloudRig's ssh ciphers", () => {
  it('agree on another cipher with a box that offers chacha20-poly1305 among others', async () => {
    const target = await boxWith(['Ciphers chacha20-poly1305@openssh.com,aes128-gcm@openssh.com']);
    const result = await new Ssh2Client().exec(target, 'echo ok', 10_000);
    expect(result.stdout.trim()).toBe('ok');
  });

  it('are refused at the handshake, saying so, by a box that takes chacha20-poly1305 only', async () => {
    expect(SSH_CIPHERS_NOT_OFFERED).toEqual(['chacha20-poly1305@openssh.com']);
    const target = await boxWith(['Ciphers chacha20-poly1305@openssh.com']);
    await expect(new Ssh2Client().exec(target, 'echo ok', 10_000)).rejects.toThrow(/cipher/i);
  });
});

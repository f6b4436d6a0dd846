import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto';
import type { HostKeyMaker, SeededHostKey } from '../../core/host-keys.js';
import type { KeyStore } from '../../core/ports.js';
import { resourceName } from '../../core/workstation-service.js';

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

/** The OpenSSH key pair of an Ed25519 seed: the private key file sshd reads, and its public line. */
export function ed25519FromSeed(seed: Buffer, comment = 'cloudrig-host'): SeededHostKey {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicRaw = Buffer.from(jwk.x ?? '', 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicRaw)]);
  // openssh-key-v1, unencrypted (PROTOCOL.key): the check integers only have to match each other.
  const check = seed.readUInt32BE(0);
  let secret = Buffer.concat([uint32(check), uint32(check), sshString('ssh-ed25519'), sshString(publicRaw),
    sshString(Buffer.concat([seed, publicRaw])), sshString(comment)]);
  const padding = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  secret = Buffer.concat([secret, padding]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), sshString('none'), sshString('none'), sshString(''),
    uint32(1), sshString(publicBlob), sshString(secret)]).toString('base64');
  const wrapped = body.match(/.{1,70}/g)?.join('\n') ?? body;
  return {
    publicKey: `ssh-ed25519 ${publicBlob.toString('base64')}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrapped}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

/** The host key CloudRig seeds into the launch of `workstation` with `clientToken`, derived from the workstation's private key (`secret`). */
export function derivedHostKey(secret: string, workstation: string, clientToken: string): SeededHostKey {
  return ed25519FromSeed(createHmac('sha256', secret).update(`cloudrig ssh host key v1\n${workstation}\n${clientToken}`).digest());
}

/**
 * Host keys derived from the workstation's private key and the launch's ClientToken (HMAC-SHA256
 * as the Ed25519 seed): nothing new is stored, the same launch always sends the same user data
 * (a retry must, or EC2 refuses it as IdempotentParameterMismatch), and each launch has its own
 * key. Whoever holds the workstation's private key can derive it, but could log in and read the
 * host key anyway.
 */
export class DerivedHostKeys implements HostKeyMaker {
  constructor(private readonly keys: KeyStore) {}

  async forLaunch(workstation: string, clientToken: string): Promise<SeededHostKey> {
    const secret = await this.keys.read(resourceName(workstation));
    if (secret === null) throw new Error(`the private key of workstation ${workstation} is missing`);
    return derivedHostKey(secret, workstation, clientToken);
  }
}

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostKeyPin, KeyStore } from '../../core/ports.js';
import { writePins } from '../ssh/known-hosts.js';
import { keyFileProblem } from '../ssh/private-key-check.js';
import type { ErrorInfo } from '../../shared/errors.js';
import { writeFileAtomic } from './atomic-file.js';

/** Private keys under `<home>/keys` (mode 0600) and per-workstation known_hosts files. */
export class FileKeyStore implements KeyStore {
  constructor(private readonly home: string) {}

  pathOf(keyName: string): string {
    return join(this.home, 'keys', `${keyName}.pem`);
  }

  async read(keyName: string): Promise<string | null> {
    try {
      return await readFile(this.pathOf(keyName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(keyName: string, privateKeyPem: string): Promise<string> {
    const path = this.pathOf(keyName);
    await writeFileAtomic(path, privateKeyPem.endsWith('\n') ? privateKeyPem : `${privateKeyPem}\n`, 0o600);
    return path;
  }

  async create(keyName: string): Promise<string> {
    const { default: ssh2 } = await import('ssh2');
    // OpenSSH format, as EC2's CreateKeyPair would give; the private half never leaves this machine.
    // ssh2's generator drops a leading zero byte of the 32-byte ed25519 public key (1 key in 256),
    // which AWS rejects as malformed: such a pair is thrown away and another one made.
    for (;;) {
      const generated = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'cloudrig' });
      const publicKey = generated.public.trim();
      if (!wellFormedEd25519(publicKey)) continue;
      await this.write(keyName, generated.private);
      return publicKey;
    }
  }

  async fileProblem(keyName: string, workstation: string): Promise<ErrorInfo | null> {
    const problem = await keyFileProblem(this.pathOf(keyName), `workstation ${workstation}`);
    return problem ? problem.toInfo() : null;
  }

  async publicKeyOf(privateKeyPem: string): Promise<string> {
    // ssh2 loads only here (rarely needed), keeping it out of every start-up.
    const { default: ssh2 } = await import('ssh2');
    const parsed = ssh2.utils.parseKey(privateKeyPem);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) throw new Error(`Not a private key: ${key instanceof Error ? key.message : 'empty'}`);
    return `${key.type} ${key.getPublicSSH().toString('base64')} cloudrig`;
  }

  knownHostsPathOf(workstation: string): string {
    return join(this.home, 'known_hosts', workstation);
  }

  async forgetHostKeys(workstation: string): Promise<void> {
    await rm(this.knownHostsPathOf(workstation), { force: true });
  }

  pinHostKeys(workstation: string, pin: HostKeyPin): Promise<void> {
    return writePins(this.knownHostsPathOf(workstation), pin);
  }
}

/** `ssh-ed25519 <blob>`: the blob is the type name then exactly 32 bytes of key. */
function wellFormedEd25519(publicKey: string): boolean {
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
  const typeLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  const keyAt = 4 + typeLength;
  return typeLength === 11 && blob.length === keyAt + 4 + 32 && blob.readUInt32BE(keyAt) === 32;
}

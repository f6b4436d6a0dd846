import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyStore } from '../../core/ports.js';
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
    const generated = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'cloudrig' });
    await this.write(keyName, generated.private);
    return generated.public.trim();
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
}

import { safeStorage } from 'electron';
import { keyStorageVerdict, type KeyStorageVerdict, type SecretBox } from '../core/app/app-face.js';

/** Secrets encrypted with the OS keychain through Electron's safeStorage (base64 ciphertext). */
export class SafeStorageSecretBox implements SecretBox {
  constructor(private readonly platform: NodeJS.Platform) {}

  /** Asks only after app ready; the storage backend exists only on Linux (basic_text = plain text, refused). */
  availability(): KeyStorageVerdict {
    const linux = this.platform === 'linux';
    return keyStorageVerdict(this.platform, safeStorage.isEncryptionAvailable(), linux ? safeStorage.getSelectedStorageBackend() : null);
  }

  encrypt(plain: string): string {
    return safeStorage.encryptString(plain).toString('base64');
  }

  decrypt(sealed: string): string {
    return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
  }
}

import { safeStorage } from 'electron';
import { keyStorageVerdict, type KeyStorageVerdict, type SecretBox } from '../core/credentials.js';

/** Secrets encrypted with the OS keychain through Electron's safeStorage (base64 ciphertext). */
export class SafeStorageSecretBox implements SecretBox {
  availability(): KeyStorageVerdict {
    const linux = process.platform === 'linux';
    return keyStorageVerdict(process.platform, safeStorage.isEncryptionAvailable(), linux ? safeStorage.getSelectedStorageBackend() : null);
  }

  encrypt(plain: string): string {
    return safeStorage.encryptString(plain).toString('base64');
  }

  decrypt(sealed: string): string {
    return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
  }
}

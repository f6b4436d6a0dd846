import { AccessKeysSchema, type AccessKeys } from '../shared/contract.js';
import { CloudRigError } from './errors.js';

/** Encrypts short secrets with a key the OS keeps (Electron safeStorage in the app). */
export interface SecretBox {
  /** Whether secrets can be stored encrypted here; when not, why. */
  availability(): KeyStorageVerdict;
  /** Ciphertext as base64. */
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** Whether typed keys may be stored, and if not why (what to do instead is the `use-aws-profile` fix). */
export type KeyStorageVerdict = { readonly available: true } | { readonly available: false; readonly reason: string };

/**
 * Decides whether the OS can protect typed keys. On Linux, safeStorage falls back to
 * `basic_text` (a hard-coded key) when no keyring is running: that is not encryption, so refuse.
 */
export function keyStorageVerdict(platform: string, encryptionAvailable: boolean, linuxBackend: string | null): KeyStorageVerdict {
  if (!encryptionAvailable) {
    return { available: false, reason: 'This system offers no encrypted storage for keys.' };
  }
  if (platform === 'linux' && (linuxBackend === 'basic_text' || linuxBackend === 'unknown' || linuxBackend === null)) {
    return {
      available: false,
      reason: 'No keyring (GNOME Keyring or KWallet) is running, so keys could only be stored in plain text.',
    };
  }
  return { available: true };
}

/** Encrypts access keys for the settings file; refuses when the box cannot protect them. */
export function sealAccessKeys(box: SecretBox, keys: AccessKeys): string {
  const verdict = box.availability();
  if (!verdict.available) throw new CloudRigError('KeyStorageUnavailable', `CloudRig will not store access keys on this system: ${verdict.reason}`, { action: 'use-aws-profile' });
  return box.encrypt(JSON.stringify(AccessKeysSchema.parse(keys)));
}

/** Decrypts stored access keys; null when none are stored or they cannot be read any more. */
export function openAccessKeys(box: SecretBox, sealed: string | null): AccessKeys | null {
  if (sealed === null || !box.availability().available) return null;
  try {
    const parsed = AccessKeysSchema.safeParse(JSON.parse(box.decrypt(sealed)));
    return parsed.success ? parsed.data : null;
  } catch {
    // Encrypted on another machine or under another OS user: the keys must be typed again.
    return null;
  }
}

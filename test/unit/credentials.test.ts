import { describe, expect, it } from 'vitest';
import { keyStorageVerdict, openAccessKeys, sealAccessKeys, type SecretBox } from '../../src/core/credentials.js';

/** Stands in for Electron's safeStorage (no Electron binary here): reversible, and never plain text. */
class FakeSecretBox implements SecretBox {
  constructor(private readonly available = true) {}
  availability() {
    return this.available ? { available: true as const } : { available: false as const, reason: 'No keyring.' };
  }
  encrypt(plain: string): string {
    return Buffer.from([...Buffer.from(plain)].map((byte) => byte ^ 0x5a)).toString('base64');
  }
  decrypt(sealed: string): string {
    return Buffer.from([...Buffer.from(sealed, 'base64')].map((byte) => byte ^ 0x5a)).toString();
  }
}

const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('key storage', () => {
  it('refuses Linux basic_text, where safeStorage would only obfuscate', () => {
    const verdict = keyStorageVerdict('linux', true, 'basic_text');
    expect(verdict.available).toBe(false);
    expect(!verdict.available && verdict.reason).toBe('No keyring (GNOME Keyring or KWallet) is running, so keys could only be stored in plain text.');
  });

  it('accepts a real keyring on Linux, and the OS stores on macOS and Windows', () => {
    expect(keyStorageVerdict('linux', true, 'gnome_libsecret')).toEqual({ available: true });
    expect(keyStorageVerdict('linux', true, 'kwallet5')).toEqual({ available: true });
    expect(keyStorageVerdict('darwin', true, null)).toEqual({ available: true });
    expect(keyStorageVerdict('win32', true, null)).toEqual({ available: true });
    expect(keyStorageVerdict('darwin', false, null).available).toBe(false);
  });

  it('stores keys only as ciphertext and reads them back', () => {
    const box = new FakeSecretBox();
    const sealed = sealAccessKeys(box, KEYS);
    expect(sealed).not.toContain(KEYS.secretAccessKey);
    expect(Buffer.from(sealed, 'base64').toString()).not.toContain(KEYS.accessKeyId);
    expect(openAccessKeys(box, sealed)).toEqual(KEYS);
  });

  it('refuses to store keys when the box cannot protect them, with the way out', () => {
    expect(() => sealAccessKeys(new FakeSecretBox(false), KEYS)).toThrow(expect.objectContaining({
      code: 'KeyStorageUnavailable', message: 'CloudRig will not store access keys on this system: No keyring.', fix: { action: 'use-aws-profile' },
    }));
  });

  it('treats keys it cannot decrypt (another machine or user) as not stored', () => {
    expect(openAccessKeys(new FakeSecretBox(), 'bm90IGpzb24=')).toBeNull();
    expect(openAccessKeys(new FakeSecretBox(), null)).toBeNull();
    expect(openAccessKeys(new FakeSecretBox(false), sealAccessKeys(new FakeSecretBox(), KEYS))).toBeNull();
  });
});

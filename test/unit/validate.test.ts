import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { cliFix } from '../../src/cli/fix-wording.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import {
  validateAmiId,
  validateCidr,
  validateDisk,
  validateInstanceType,
  validateName,
  validateRegion,
} from '../../src/core/validate.js';

/** The error `run` throws, its fix worded by each face. */
function errorOf(run: () => unknown): { code: string; message: string; fix: string; appFix: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CloudRigError) return { code: error.code, message: error.message, fix: cliFix(error.fix), appFix: appFix(error.fix) };
    throw error;
  }
  throw new Error('expected a CloudRigError');
}

describe('input validation before any AWS call', () => {
  it('accepts known regions and names the flag and an example for unknown ones', () => {
    expect(validateRegion('eu-west-1')).toBe('eu-west-1');
    const error = errorOf(() => validateRegion('us-east-9'));
    expect(error.code).toBe('InvalidInput');
    expect(error.message).toContain('us-east-9');
    expect(error.fix).toMatch(/^--region: .*us-east-1/);
  });

  it('accepts GPU instance types and refuses unknown families or sizes', () => {
    for (const type of ['g4dn.xlarge', 'g5.12xlarge', 'p4d.24xlarge', 'g6e.metal-48xl', 't3.micro']) {
      expect(validateInstanceType(type)).toBe(type);
    }
    for (const type of ['g4dn', 'zz9.xlarge', 'g4dn.huge', 'G4DN.XLARGE', '']) {
      expect(errorOf(() => validateInstanceType(type)).fix).toMatch(/^--type: .*g4dn\.xlarge/);
    }
  });

  it('accepts 8 and 17 hex digit AMI ids only', () => {
    expect(validateAmiId('ami-12345678')).toBe('ami-12345678');
    expect(validateAmiId('ami-0abc1234def567890')).toBe('ami-0abc1234def567890');
    expect(errorOf(() => validateAmiId('ami-xyz')).fix).toMatch(/^--ami: /);
    expect(errorOf(() => validateAmiId('ubuntu')).message).toContain('not an AMI id');
  });

  it('turns a bare address into /32, keeps a network as written, and refuses garbage', () => {
    expect(validateCidr('203.0.113.7')).toBe('203.0.113.7/32');
    expect(validateCidr('10.0.0.0/8')).toBe('10.0.0.0/8');
    for (const bad of ['300.1.1.1/32', '1.2.3.4/33', 'my-ip', '1.2.3/24', '']) {
      expect(errorOf(() => validateCidr(bad)).fix).toMatch(/^--cidr: /);
    }
  });

  it('refuses a CIDR with host bits set and names its canonical form in the fix (never widening it silently)', () => {
    const narrow = errorOf(() => validateCidr('10.1.2.3/24'));
    expect(narrow.message).toContain('10.1.2.0/24');
    expect(narrow.fix).toBe('--cidr: pass 10.1.2.0/24 for the whole network, or 10.1.2.3/32 for that address only.');
    const open = errorOf(() => validateCidr('10.1.2.3/0', 'ingressCidr', { allowAnywhere: true }));
    expect(open.message).toContain('every address');
    expect(open.fix).toMatch(/^--cidr: pass 10\.1\.2\.3\/32 for that address only/);
  });

  it('admits every address only with explicit confirmation, worded for the face that asks', () => {
    expect(errorOf(() => validateCidr('0.0.0.0/0')).fix).toContain('add --allow-anywhere');
    expect(errorOf(() => validateCidr('0.0.0.0/0', 'ingressCidr')).appFix)
      .toMatch(/^Settings → Workstation → Allowed addresses \(CIDR\): .*tick "Allow ssh from anywhere"/);
    expect(errorOf(() => validateCidr('0.0.0.0/0', 'ingressCidr')).appFix).not.toContain('--');
    expect(validateCidr('0.0.0.0/0', 'ingressCidr', { allowAnywhere: true })).toBe('0.0.0.0/0');
    expect(errorOf(() => validateCidr('::/0', 'ingressCidr', { allowAnywhere: true })).message).toContain('IPv4 ranges only');
  });

  it('refuses a disk smaller than the image and says which size to pass', () => {
    expect(validateDisk(100, 75)).toBe(100);
    const error = errorOf(() => validateDisk(20, 75));
    expect(error.message).toContain('20 GiB');
    expect(error.fix).toContain('--disk 75');
  });

  it('refuses names that cannot be tags or file names', () => {
    expect(validateName('gpu-2')).toBe('gpu-2');
    expect(errorOf(() => validateName('My Box')).fix).toMatch(/^--name: /);
    expect(errorOf(() => validateName('../x')).code).toBe('InvalidInput');
  });
});

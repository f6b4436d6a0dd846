import { describe, expect, it } from 'vitest';
import { cidrAdmits } from '../../src/shared/cidr.js';

describe('cidrAdmits', () => {
  it('admits an address inside the range and refuses one outside it', () => {
    expect(cidrAdmits('203.0.113.7/32', '203.0.113.7')).toBe(true);
    expect(cidrAdmits('203.0.113.7/32', '203.0.113.8')).toBe(false);
    expect(cidrAdmits('10.0.0.0/8', '10.200.3.4')).toBe(true);
    expect(cidrAdmits('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(cidrAdmits('0.0.0.0/0', '198.51.100.23')).toBe(true);
  });

  it('admits nothing for what is not an IPv4 range or address', () => {
    expect(cidrAdmits('::/0', '198.51.100.23')).toBe(false);
    expect(cidrAdmits('10.0.0.0/8', 'not-an-address')).toBe(false);
  });
});

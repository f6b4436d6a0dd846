import { describe, expect, it } from 'vitest';
import { formatHourly } from '../../src/shared/hourly-rate.js';
import { rateWords } from '../../src/core/billed-failure.js';

describe('an hourly rate, written the same way by every face', () => {
  it('reads in cents from ten cents up, and keeps three decimals below', () => {
    expect([formatHourly(0.526), formatHourly(12.24), formatHourly(0.0416), formatHourly(0)]).toEqual(['$0.53/h', '$12.24/h', '$0.042/h', '$0.000/h']);
  });

  it('keeps three decimals where rates are compared', () => {
    expect([formatHourly(0.526, 'compare'), formatHourly(1.006, 'compare'), formatHourly(0.0416, 'compare')]).toEqual(['$0.526/h', '$1.006/h', '$0.042/h']);
  });

  it('quotes a billed instance\'s bundled price as the comparison tables do, above a dollar too', () => {
    expect(rateWords('us-east-1', 'g4dn.xlarge', false)).toBe('by the hour (about $0.526/hour on demand)');
    expect(rateWords('us-east-1', 'g5.xlarge', true)).toBe('by the hour (at most $1.006/hour, the on-demand price)');
  });
});

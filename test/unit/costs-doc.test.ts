import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH } from '../../src/core/cost-meter.js';
import { BUNDLED_ON_DEMAND_USD_PER_HOUR, BUNDLED_STORAGE } from '../../src/core/price-table.js';

const WEEK_HOURS = 168;
const usd = (value: number): string => `$${value.toFixed(2)}`;

describe('docs/costs.md', () => {
  it('states what a week stopped costs for a 100 GB disk versus archived with the numbers of the bundled price table', async () => {
    const text = (await readFile(join(import.meta.dirname, '..', '..', 'docs', 'costs.md'), 'utf8')).replace(/\s+/g, ' ');
    const east = BUNDLED_STORAGE['us-east-1']!;
    const week = (perMonth: number): number => (perMonth * WEEK_HOURS) / HOURS_PER_MONTH;
    expect(text).toContain(`EBS gp3 $${east.gp3GbMonth} per GB-month, snapshots $${east.snapshotGbMonth} per GB-month, a public IPv4 address $${east.publicIpv4Hour} an hour`);
    expect(text).toContain(`100 GB disk kept for a week stopped costs ${usd(week(100 * east.gp3GbMonth))}**`);
    expect(text).toContain(`the same week costs **at most ${usd(week(100 * east.snapshotGbMonth))}**`);
    expect(text).toContain(`30 GB in use costs about ${usd(week(30 * east.snapshotGbMonth))} a week`);
    expect(text).toContain(`g4dn.xlarge left running for that week is ${usd(BUNDLED_ON_DEMAND_USD_PER_HOUR['us-east-1']!['g4dn.xlarge']! * WEEK_HOURS)}`);
    expect(text).toContain(`${usd(east.publicIpv4Hour * WEEK_HOURS)} a week (${usd(east.publicIpv4Hour * HOURS_PER_MONTH)} a month)`);
    expect(text).toContain(`In eu-west-1 the disk's week is ${usd(week(100 * BUNDLED_STORAGE['eu-west-1']!.gp3GbMonth))}`);
  });
});

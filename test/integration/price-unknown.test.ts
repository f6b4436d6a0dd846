// A box whose price nobody knows: a region the bundled table has no prices for, with the Pricing API
// denied or without a product. Money is never shown as $0.00 when it is unknown: `rig status`,
// its JSON, `rig cost` and the budgets all say "unknown", why, and how to fix it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });

/** `rig init` for a g5.xlarge in `region`, its ssh going to the sshd fixture, and its key trusted there. */
async function initIn(region: string): Promise<void> {
  const args = initArgs(world).map((arg) => (arg === 'us-east-1' ? region : arg === 'g4dn.xlarge' ? 'g5.xlarge' : arg));
  const init = await world.rig(args);
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
}

async function up(): Promise<void> {
  const result = await world.rig(['up']);
  expect(result.code, result.stderr).toBe(0);
}

/** Sets budgets in settings.json, as the app's Reminders section saves them. */
async function setBudgets(budgets: { monthlyBudgetUsd?: number; sessionBudgetUsd?: number }): Promise<void> {
  const file = join(world.home, 'settings.json');
  const settings = JSON.parse(await readFile(file, 'utf8')) as { reminders?: Record<string, unknown> };
  settings.reminders = { ...settings.reminders, ...budgets };
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`);
}

async function run(args: string[]): Promise<string> {
  const result = await world.rig(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('a running g5.xlarge in us-west-1 (no bundled prices) with Pricing denied', () => {
  it('rig status --json has hourlyUsd and sessionUsd null, no price source, and the reason and fix', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    await initIn('us-west-1');
    await up();
    expect(await world.statusJson()).toMatchObject({
      state: 'running',
      hourlyUsd: null,
      priceSource: null,
      sessionUsd: null,
      monthUnpriced: true,
      priceUnknownReason: "no price for g5.xlarge in us-west-1: CloudRig's bundled price table has no prices for us-west-1, and the AWS Pricing API refused (these credentials may not call pricing:GetProducts)",
      priceUnknownFix: 'allow pricing:GetProducts in the IAM policy of these AWS credentials',
    });
  });

  it('rig status says the rate and this session are unknown, why, and the fix; never $0.00', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    await initIn('us-west-1');
    await up();
    const text = await run(['status']);
    expect(text).toContain("Cost: rate unknown — no price for g5.xlarge in us-west-1: CloudRig's bundled price table has no prices for us-west-1, and the AWS Pricing API refused (these credentials may not call pricing:GetProducts) · this session unknown · this month unknown\n");
    expect(text).toContain('Fix: allow pricing:GetProducts in the IAM policy of these AWS credentials.\n');
    expect(text).not.toContain('$0.00');
  });

  it('rig cost says this session and the month are unknown, and why, instead of $0.00', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    await initIn('us-west-1');
    await up();
    const text = await run(['cost']);
    expect(text).toMatch(/^\d{4}-\d\d \(UTC\): unknown of instance time so far \(a run's rate is unknown, so it is not counted\)\.$/m);
    expect(text).toMatch(/^ {2}gpu: unknown \(history starts mid-month\), running — this session unknown$|^ {2}gpu: unknown, running — this session unknown$/m);
    expect(text).toContain('    rate unknown — no price for g5.xlarge in us-west-1: ');
    expect(text).toMatch(/^Spent unknown · pace unknown · projected unknown by month end/m);
    expect(text).not.toContain('$0.00');

    const report = JSON.parse(await run(['cost', '--json'])) as {
      monthUnpriced: boolean; chart: { unpriced: boolean };
      workstations: { name: string; running: boolean; sessionUsd: number | null; monthUnpriced: boolean; priceUnknown: { reason: string } | null }[];
    };
    expect(report.monthUnpriced).toBe(true);
    expect(report.chart.unpriced).toBe(true);
    expect(report.workstations[0]).toMatchObject({ name: 'gpu', running: true, sessionUsd: null, monthUnpriced: true });
    expect(report.workstations[0]!.priceUnknown?.reason).toMatch(/^no price for g5\.xlarge in us-west-1: /);
  });

  it('a monthly and a per-session budget warn that they cannot be checked, in rig status, its JSON and rig cost', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    await initIn('us-west-1');
    await setBudgets({ monthlyBudgetUsd: 100, sessionBudgetUsd: 5 });
    await up();
    const warning = "Your monthly budget of $100.00 and per-session budget of $5.00 cannot be checked while gpu's rate is unknown";
    expect(await run(['status'])).toContain(`Warning: ${warning}.\n`);
    expect(await world.statusJson()).toMatchObject({ budgetWarning: warning });
    expect(await run(['cost'])).toContain(`Warning: ${warning}.\n`);
  });
});

describe('other unknown and estimated prices', () => {
  it('with Pricing allowed but without a product, the reason says so and the fix names the region and type', async () => {
    world.cloud.proxy.setPriceList([]);
    await initIn('us-west-1');
    await up();
    expect(await world.statusJson()).toMatchObject({
      hourlyUsd: null,
      sessionUsd: null,
      priceUnknownReason: "no price for g5.xlarge in us-west-1: CloudRig's bundled price table has no prices for us-west-1, and the AWS Pricing API has no on-demand Linux price for g5.xlarge in us-west-1",
      priceUnknownFix: 'check that us-west-1 offers g5.xlarge',
    });
  });

  it("a region priced from its neighbour's row is labelled bundled and names the neighbour", async () => {
    world.cloud.proxy.setPricingAvailable(false);
    await initIn('eu-west-2');
    await up();
    const status = await world.statusJson();
    expect(status).toMatchObject({ hourlyUsd: 1.258, priceSource: 'bundled', priceEstimatedFrom: 'eu-central-1', priceUnknownReason: null });
    expect(status.sessionUsd).toBeGreaterThan(0);
    expect(await run(['status'])).toMatch(/^Cost: \$1\.258\/h \(bundled price, estimated from eu-central-1\) · this session \$\d+\.\d\d/m);
  });

  it('every region moto lists (the regions the forgotten-instance scan can find) is priced or explicitly unpriced for every bundled GPU type', async () => {
    const ec2 = world.ec2();
    const regions = ((await ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions ?? []).map((r) => r.RegionName!);
    ec2.destroy();
    expect(regions.length).toBeGreaterThanOrEqual(38);
    // Loaded here so the rest of the file runs against any version of the table.
    const { bundledOnDemandHourly } = await import('../../src/core/price-catalog.js');
    const { BUNDLED_ON_DEMAND_USD_PER_HOUR, BUNDLED_UNPRICED_REGIONS } = await import('../../src/core/price-table.js');
    const types = Object.keys(BUNDLED_ON_DEMAND_USD_PER_HOUR['us-east-1']!);
    const unclassified = regions.filter((region) => !BUNDLED_UNPRICED_REGIONS.includes(region)
      && types.some((type) => bundledOnDemandHourly(region, type) === null));
    expect(unclassified).toEqual([]);
    // An explicitly unpriced region really gives no number: unknown, not a guess.
    expect(BUNDLED_UNPRICED_REGIONS.filter((region) => bundledOnDemandHourly(region, 'g5.xlarge') !== null)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { runFirstRunChecks, type AccountProbe } from '../../src/core/first-run-checks.js';
import { fixWorded } from '../support/fix-matchers.js';

const TARGET = { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false };

/** An account as the probe would find it; the AWS-backed probe is exercised in test/integration. */
function account(overrides: Partial<AccountProbe> = {}): AccountProbe {
  return {
    callerIdentity: async () => ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/me' }),
    hasDefaultVpc: async () => true,
    vcpusOf: async () => 4,
    quotaOf: (_type, spot) => (spot ? { code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' } : { code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances' }),
    vcpuQuota: async () => ({ code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances', value: 0 }),
    openQuotaRequest: async () => null,
    ...overrides,
  };
}

describe('runFirstRunChecks', () => {
  it('offers the exact quota request when the quota is below what the type needs', async () => {
    const report = await runFirstRunChecks(account(), TARGET);
    expect(report.ok).toBe(false);
    expect(report.checks.map((check) => `${check.id}:${check.status}`)).toEqual(['credentials:ok', 'default-vpc:ok', 'quota-on-demand:fail']);
    expect(report.checks[2]).toMatchObject({
      detail: '"Running On-Demand G and VT instances" in us-east-1 allows 0 vCPUs; a g4dn.xlarge needs 4.',
      quotaRequest: { region: 'us-east-1', quotaCode: 'L-DB2E81BA', current: 0, desired: 4 },
    });
  });

  it('does not offer a second request while one is open', async () => {
    const report = await runFirstRunChecks(account({ openQuotaRequest: async () => ({ desired: 4, status: 'CASE_OPENED' }) }), TARGET);
    expect(report.checks[2]).toMatchObject({ status: 'warn', quotaRequest: null, detail: expect.stringContaining('A request for 4 vCPUs is open (CASE_OPENED).') });
    expect(report.ok).toBe(true);
  });

  it('skips the other checks when the credentials do not work, keeping their fix', async () => {
    const report = await runFirstRunChecks(account({
      callerIdentity: async () => {
        throw new CloudRigError('NoCredentials', 'No AWS credentials found.', { action: 'configure-credentials', profile: null, problem: 'missing' });
      },
    }), TARGET);
    expect(report.checks.map((check) => check.status)).toEqual(['fail', 'skipped', 'skipped']);
    expect(report.checks[0]).toMatchObject({ detail: 'No AWS credentials found.', fix: { action: 'configure-credentials', profile: null, problem: 'missing' } });
  });

  it('says the quota is unknown, and how to read it otherwise, when it cannot be read (no servicequotas permission)', async () => {
    const report = await runFirstRunChecks(account({
      vcpuQuota: async () => {
        throw new CloudRigError('UnauthorizedOperation', 'AWS Service Quotas refused: your AWS identity is not allowed to do this in us-east-1.', { action: 'grant-permissions' });
      },
    }), TARGET);
    expect(report.checks[2]).toMatchObject({
      status: 'warn',
      detail: 'Unknown: "Running On-Demand G and VT instances" in us-east-1 could not be read. AWS Service Quotas refused: your AWS identity is not allowed to do this in us-east-1.',
      quota: { market: 'on-demand', inUse: true, value: null, need: 4 },
    });
    expect(report.checks[2]?.fix).toEqual(fixWorded('cli', /aws service-quotas get-service-quota --service-code ec2 --quota-code L-DB2E81BA --region us-east-1/));
    expect(report.ok).toBe(true);
  });

  it('fails without a default VPC and says how to create one', async () => {
    const report = await runFirstRunChecks(account({ hasDefaultVpc: async () => false, vcpuQuota: async () => ({ code: 'L-DB2E81BA', name: 'G', value: 64 }) }), TARGET);
    expect(report.checks[1]).toMatchObject({ status: 'fail', fix: fixWorded('cli', 'Create one with `aws ec2 create-default-vpc --region us-east-1`, or choose another region.') });
    expect(report.checks[1]).toMatchObject({ fix: fixWorded('app', /^Create one in the VPC console \(us-east-1: .*Settings → Workstation → Region/) });
    expect(report.checks[2]?.status).toBe('ok');
  });
});

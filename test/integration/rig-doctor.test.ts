import { describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: true } });

describe('rig doctor', () => {
  it('passes when the credentials work, the VPC exists and the quota covers the type', async () => {
    world.cloud.proxy.setQuota('L-DB2E81BA', 8);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('✔ vCPU quota for g4dn.xlarge: "Running On-Demand G and VT instances" in us-east-1 allows 8 vCPUs; a g4dn.xlarge needs 4.');
  });

  it('fails on a zero quota and says how to ask for more; --request-quota --yes files the increase', async () => {
    world.cloud.proxy.setQuota('L-DB2E81BA', 0);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ vCPU quota for g4dn\.xlarge: .* allows 0 vCPUs; a g4dn\.xlarge needs 4\. Fix: Request 4 vCPUs/);
    expect(doctor.stderr).toMatch(/^error: 1 check failed: vCPU quota for g4dn\.xlarge\. Fix: Run `rig doctor --request-quota`/m);
    expect(world.cloud.proxy.quotaRequests()).toEqual([]);

    const refused = await world.rig(['doctor', '--request-quota']);
    expect(refused.stderr).toMatch(/Refusing to request 4 vCPUs .* without confirmation/);
    expect(world.cloud.proxy.quotaRequests()).toEqual([]);

    const filed = await world.rig(['doctor', '--request-quota', '--yes']);
    expect(filed.code, filed.stderr).toBe(0);
    expect(filed.stdout).toMatch(/Requested 4 vCPUs for "Running On-Demand G and VT instances" in us-east-1/);
    expect(world.cloud.proxy.quotaRequests()).toEqual([expect.objectContaining({ QuotaCode: 'L-DB2E81BA', DesiredValue: 4 })]);
  });
});

import type { Check, CheckReport } from '../shared/views.js';
import { toErrorInfo } from './errors.js';
import { advice } from '../shared/errors.js';

/** A vCPU quota as Service Quotas reports it. */
export interface VcpuQuota {
  readonly code: string;
  readonly name: string;
  readonly value: number;
}

/** The account facts the first-run checks read (STS, EC2, Service Quotas). */
export interface AccountProbe {
  callerIdentity(): Promise<{ readonly account: string; readonly arn: string }>;
  hasDefaultVpc(region: string): Promise<boolean>;
  /** The vCPUs an instance type has (DescribeInstanceTypes). */
  vcpusOf(region: string, instanceType: string): Promise<number>;
  /** The quota that limits this type's vCPUs (on-demand or spot). */
  vcpuQuota(region: string, instanceType: string, spot: boolean): Promise<VcpuQuota>;
  /** An increase request for the quota still waiting for AWS, or null. */
  openQuotaRequest(region: string, quotaCode: string): Promise<{ readonly desired: number; readonly status: string } | null>;
}

/** What to check: the workstation's region and type. */
export interface CheckTarget {
  readonly region: string;
  readonly instanceType: string;
  readonly spot: boolean;
}

function failed(id: Check['id'], title: string, error: unknown): Check {
  const info = toErrorInfo(error);
  return { id, status: 'fail', title, detail: info.message, fix: info.fix, quotaRequest: null };
}

function skipped(id: Check['id'], title: string): Check {
  return { id, status: 'skipped', title, detail: 'Skipped until the credentials work.', fix: null, quotaRequest: null };
}

async function quotaCheck(probe: AccountProbe, target: CheckTarget): Promise<Check> {
  const title = `vCPU quota for ${target.instanceType}`;
  let need: number;
  let quota: VcpuQuota;
  try {
    [need, quota] = await Promise.all([
      probe.vcpusOf(target.region, target.instanceType),
      probe.vcpuQuota(target.region, target.instanceType, target.spot),
    ]);
  } catch (error) {
    const info = toErrorInfo(error);
    // Reading quotas needs servicequotas:GetServiceQuota; without it a launch may still work.
    return { id: 'quota', status: 'warn', title, detail: `Could not read the quota: ${info.message}`, fix: info.fix, quotaRequest: null };
  }
  const have = `"${quota.name}" in ${target.region} allows ${quota.value} vCPUs; a ${target.instanceType} needs ${need}.`;
  if (quota.value >= need) return { id: 'quota', status: 'ok', title, detail: have, fix: null, quotaRequest: null };
  let open: { desired: number; status: string } | null = null;
  try {
    open = await probe.openQuotaRequest(target.region, quota.code);
  } catch {
    // Without the request history we simply offer to file one.
  }
  if (open) {
    return {
      id: 'quota', status: 'warn', title,
      detail: `${have} A request for ${open.desired} vCPUs is open (${open.status}).`,
      fix: advice('AWS usually answers within a day; you will get an email. Until then the launch would fail.'),
      quotaRequest: null,
    };
  }
  return {
    id: 'quota', status: 'fail', title, detail: have,
    fix: advice(`Request ${need} vCPUs for "${quota.name}" (quota ${quota.code}); AWS usually answers within a day.`),
    quotaRequest: { region: target.region, quotaCode: quota.code, quotaName: quota.name, current: quota.value, desired: need },
  };
}

/**
 * The first-run checks (the app's setup screen and `rig doctor`): credentials valid, a default
 * VPC in the region, and a vCPU quota big enough for the instance type.
 */
export async function runFirstRunChecks(probe: AccountProbe, target: CheckTarget): Promise<CheckReport> {
  const checks: Check[] = [];
  let identityOk = false;
  try {
    const identity = await probe.callerIdentity();
    identityOk = true;
    checks.push({ id: 'credentials', status: 'ok', title: 'AWS credentials', detail: `Signed in as ${identity.arn} (account ${identity.account}).`, fix: null, quotaRequest: null });
  } catch (error) {
    checks.push(failed('credentials', 'AWS credentials', error));
  }
  if (!identityOk) {
    checks.push(skipped('default-vpc', `Default VPC in ${target.region}`), skipped('quota', `vCPU quota for ${target.instanceType}`));
    return { region: target.region, instanceType: target.instanceType, checks, ok: false };
  }
  const [vpc, quota] = await Promise.all([
    probe.hasDefaultVpc(target.region).then(
      (present): Check => present
        ? { id: 'default-vpc', status: 'ok', title: `Default VPC in ${target.region}`, detail: 'Present: CloudRig launches into it.', fix: null, quotaRequest: null }
        : {
            id: 'default-vpc', status: 'fail', title: `Default VPC in ${target.region}`,
            detail: `There is no default VPC in ${target.region}.`,
            fix: { action: 'create-default-vpc', region: target.region },
            quotaRequest: null,
          },
      (error: unknown) => failed('default-vpc', `Default VPC in ${target.region}`, error),
    ),
    quotaCheck(probe, target),
  ]);
  checks.push(vpc, quota);
  return { region: target.region, instanceType: target.instanceType, checks, ok: checks.every((check) => check.status !== 'fail') };
}

import type { Check, CheckId, CheckReport, QuotaFacts } from '../shared/views.js';
import { toErrorInfo } from './errors.js';
import { thenFix } from '../shared/fix-steps.js';

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
  /** Which quota limits this type's vCPUs (on-demand or spot), without asking AWS. */
  quotaOf(instanceType: string, spot: boolean): { readonly code: string; readonly name: string };
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

/** A check that could not run: what went wrong, with its fix. */
export function failedCheck(id: CheckId, title: string, error: unknown, status: Check['status'] = 'fail'): Check {
  const info = toErrorInfo(error);
  return { id, status, title, detail: info.message, fix: info.fix, quotaRequest: null };
}

/** A check that did not run because another one failed first. */
export function skippedCheck(id: CheckId, title: string, because = 'Skipped until the credentials work.'): Check {
  return { id, status: 'skipped', title, detail: because, fix: null, quotaRequest: null };
}

/** A check that passed. */
export function passedCheck(id: CheckId, title: string, detail: string): Check {
  return { id, status: 'ok', title, detail, fix: null, quotaRequest: null };
}

const MARKET_WORDS = { 'on-demand': 'On-demand', spot: 'Spot' } as const;

/** The quota check's title: the market, and which market launches use. */
export function quotaTitle(instanceType: string, spot: boolean, inUse: boolean): string {
  return `${MARKET_WORDS[spot ? 'spot' : 'on-demand']} vCPU quota for ${instanceType}${inUse ? ' (the market it launches in)' : ''}`;
}

/**
 * The vCPU quota of one market for the type. Only the market launches use can fail the check; the
 * other one is there to know before switching. A quota that cannot be read is said to be unknown,
 * naming what failed and how to read it otherwise: never taken as enough.
 */
export async function quotaCheck(probe: AccountProbe, target: CheckTarget, spot: boolean, options: { readonly markInUse?: boolean } = {}): Promise<Check> {
  const inUse = spot === target.spot;
  const market = spot ? 'spot' : 'on-demand';
  const id: CheckId = spot ? 'quota-spot' : 'quota-on-demand';
  const title = quotaTitle(target.instanceType, spot, inUse && options.markInUse !== false);
  const which = probe.quotaOf(target.instanceType, spot);
  const facts = (value: number | null, need: number | null, name = which.name): QuotaFacts =>
    ({ market, inUse, region: target.region, quotaCode: which.code, quotaName: name, value, need });
  const [need, quota] = await Promise.allSettled([
    probe.vcpusOf(target.region, target.instanceType),
    probe.vcpuQuota(target.region, target.instanceType, spot),
  ]);
  if (quota.status === 'rejected') {
    const info = toErrorInfo(quota.reason);
    const readIt = { action: 'check-quota', region: target.region, quotaCode: which.code, quotaName: which.name } as const;
    // Reading quotas needs servicequotas:GetServiceQuota; without it a launch may still work. The
    // error's own fix comes first when it is one (credentials, permissions, network), not "see above".
    const generic = info.fix.action === 'retry' && info.fix.reason === 'aws-said';
    return {
      id, status: 'warn', title,
      detail: `Unknown: "${which.name}" in ${target.region} could not be read. ${info.message}`,
      fix: generic ? readIt : thenFix(info.fix, readIt),
      quotaRequest: null,
      quota: facts(null, need.status === 'fulfilled' ? need.value : null),
    };
  }
  const { value, name, code } = quota.value;
  if (need.status === 'rejected') {
    const info = toErrorInfo(need.reason);
    return { id, status: 'warn', title, detail: `"${name}" in ${target.region} allows ${value} vCPUs; what a ${target.instanceType} needs is unknown: ${info.message}`, fix: info.fix, quotaRequest: null, quota: facts(value, null, name) };
  }
  const have = `"${name}" in ${target.region} allows ${value} vCPUs; a ${target.instanceType} needs ${need.value}.`;
  const known = facts(value, need.value, name);
  if (value >= need.value) return { id, status: 'ok', title, detail: have, fix: null, quotaRequest: null, quota: known };
  let open: { desired: number; status: string } | null = null;
  try {
    open = await probe.openQuotaRequest(target.region, code);
  } catch {
    // Without the request history we simply offer to file one.
  }
  if (open) {
    return {
      id, status: 'warn', title,
      detail: `${have} A request for ${open.desired} vCPUs is open (${open.status}).`,
      fix: { action: 'quota-request-open', market: inUse ? null : market },
      quotaRequest: null,
      quota: known,
    };
  }
  const request = { region: target.region, quotaCode: code, quotaName: name, desired: need.value };
  if (!inUse) {
    // Not the market launches use: worth knowing before switching, not a failure.
    return { id, status: 'warn', title, detail: `${have} Only a ${market} launch needs it.`, fix: { action: 'request-quota', ...request, market }, quotaRequest: null, quota: known };
  }
  return {
    id, status: 'fail', title, detail: have,
    fix: { action: 'request-quota', ...request },
    quotaRequest: { ...request, current: value },
    quota: known,
  };
}

/** The credentials check: who the calls are made as. */
export async function credentialsCheck(probe: AccountProbe): Promise<Check> {
  try {
    const identity = await probe.callerIdentity();
    return passedCheck('credentials', 'AWS credentials', `Signed in as ${identity.arn} (account ${identity.account}).`);
  } catch (error) {
    return failedCheck('credentials', 'AWS credentials', error);
  }
}

/** The default VPC check: CloudRig launches into it. */
export async function defaultVpcCheck(probe: AccountProbe, region: string): Promise<Check> {
  const title = `Default VPC in ${region}`;
  try {
    if (await probe.hasDefaultVpc(region)) return passedCheck('default-vpc', title, 'Present: CloudRig launches into it.');
    return { id: 'default-vpc', status: 'fail', title, detail: `There is no default VPC in ${region}.`, fix: { action: 'create-default-vpc', region }, quotaRequest: null };
  } catch (error) {
    return failedCheck('default-vpc', title, error);
  }
}

/** A report over some checks: ok when none failed. */
export function checkReport(target: CheckTarget, checks: readonly Check[], workstation: string | null = null): CheckReport {
  return { region: target.region, instanceType: target.instanceType, spot: target.spot, workstation, checks, ok: checks.every((check) => check.status !== 'fail') };
}

/**
 * The first-run checks (the app's setup screen): credentials valid, a default VPC in the region,
 * and a vCPU quota big enough for the instance type in the market chosen. `rig doctor` runs these
 * and more (core/app/doctor.ts).
 */
export async function runFirstRunChecks(probe: AccountProbe, target: CheckTarget): Promise<CheckReport> {
  const credentials = await credentialsCheck(probe);
  const quotaId: CheckId = target.spot ? 'quota-spot' : 'quota-on-demand';
  const quotaName = quotaTitle(target.instanceType, target.spot, false);
  if (credentials.status === 'fail') {
    return checkReport(target, [credentials, skippedCheck('default-vpc', `Default VPC in ${target.region}`), skippedCheck(quotaId, quotaName)]);
  }
  const [vpc, quota] = await Promise.all([defaultVpcCheck(probe, target.region), quotaCheck(probe, target, target.spot, { markInUse: false })]);
  return checkReport(target, [credentials, vpc, quota]);
}

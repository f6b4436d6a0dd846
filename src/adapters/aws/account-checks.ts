import { DescribeInstanceTypesCommand, DescribeVpcsCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryByQuotaCommand,
  RequestServiceQuotaIncreaseCommand,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CloudRigError } from '../../core/errors.js';
import { runFirstRunChecks, type AccountProbe, type CheckTarget, type VcpuQuota } from '../../core/first-run-checks.js';
import type { CheckReport, QuotaRequestResult } from '../../shared/views.js';
import type { AwsAccess } from './client-config.js';
import { awsClients } from './client-registry.js';
import { mapAwsError, quotaFor } from './error-map.js';

/** Quota requests AWS is still working on. */
const OPEN_STATUSES = new Set(['PENDING', 'CASE_OPENED']);

/**
 * The account facts behind the first-run checks and `rig doctor`: STS GetCallerIdentity, the
 * default VPC, DescribeInstanceTypes and the EC2 vCPU quotas in Service Quotas.
 */
export class AwsAccountProbe implements AccountProbe {
  constructor(
    private readonly access: AwsAccess,
    /** The region STS is asked in. */
    private readonly homeRegion: string,
  ) {}

  private async call<T>(region: string, work: () => Promise<T>, instanceType?: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw await mapAwsError(error, { region, profile: this.access.profile ?? null, env: this.access.env, instanceType });
    }
  }

  async callerIdentity(): Promise<{ account: string; arn: string }> {
    const sts = await awsClients(this.access).sts(this.homeRegion);
    const out = await this.call(this.homeRegion, () => sts.send(new GetCallerIdentityCommand({})));
    return { account: out.Account ?? 'unknown', arn: out.Arn ?? 'unknown' };
  }

  async hasDefaultVpc(region: string): Promise<boolean> {
    const ec2 = awsClients(this.access).ec2(region);
    const out = await this.call(region, () => ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })));
    return (out.Vpcs ?? []).length > 0;
  }

  async vcpusOf(region: string, instanceType: string): Promise<number> {
    const ec2 = awsClients(this.access).ec2(region);
    const out = await this.call(region, () => ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] })), instanceType)
      .catch((error: unknown) => {
        if (error instanceof CloudRigError && error.awsCode?.startsWith('InvalidInstanceType')) {
          throw new CloudRigError('InvalidInput', `${region} has no instance type "${instanceType}".`, { action: 'correct-input', field: 'instanceType', hint: `pick a type ${region} offers.` });
        }
        throw error;
      });
    const vcpus = out.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
    if (vcpus === undefined) throw new CloudRigError('InvalidInput', `${region} has no instance type "${instanceType}".`, { action: 'correct-input', field: 'instanceType', hint: `pick a type ${region} offers.` });
    return vcpus;
  }

  quotaOf(instanceType: string, spot: boolean): { code: string; name: string } {
    const { code, label } = quotaFor(instanceType, spot);
    return { code, name: label };
  }

  async vcpuQuota(region: string, instanceType: string, spot: boolean): Promise<VcpuQuota> {
    const { code, label } = quotaFor(instanceType, spot);
    const quotas = await awsClients(this.access).quotas(region);
    const input = { ServiceCode: 'ec2', QuotaCode: code };
    // An account that never changed a quota may have no applied value yet: AWS's default applies.
    const out = await quotas.send(new GetServiceQuotaCommand(input)).catch((error: { name?: string }) => {
      if (error.name === 'NoSuchResourceException') return quotas.send(new GetAWSDefaultServiceQuotaCommand(input));
      throw error;
    }).catch(async (error: unknown) => {
      throw await mapAwsError(error, { region, profile: this.access.profile ?? null, env: this.access.env, instanceType });
    });
    // An answer without a value says nothing about the quota: unknown, never taken as 0 (or as enough).
    if (out.Quota?.Value === undefined) {
      throw new CloudRigError('QuotaUnknown', `Service Quotas in ${region} answered without a value for "${label}".`, { action: 'check-quota', region, quotaCode: code, quotaName: label });
    }
    return { code, name: out.Quota.QuotaName ?? label, value: out.Quota.Value };
  }

  async openQuotaRequest(region: string, quotaCode: string): Promise<{ desired: number; status: string } | null> {
    const quotas = await awsClients(this.access).quotas(region);
    const out = await this.call(region, () =>
      quotas.send(new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: 'ec2', QuotaCode: quotaCode })));
    const open = (out.RequestedQuotas ?? []).find((request) => OPEN_STATUSES.has(request.Status ?? ''));
    return open ? { desired: open.DesiredValue ?? 0, status: open.Status ?? 'PENDING' } : null;
  }
}

/** Runs the first-run checks against AWS: what the app's setup screen shows (`rig doctor` runs them and more). */
export function runDoctor(access: AwsAccess, target: CheckTarget): Promise<CheckReport> {
  return runFirstRunChecks(new AwsAccountProbe(access, target.region), target);
}

/** The account probe, STS asked in `region`. */
export function accountProbe(access: AwsAccess, region: string): AccountProbe {
  return new AwsAccountProbe(access, region);
}

/**
 * Files a vCPU quota increase (RequestServiceQuotaIncrease). Callers confirm with the user first:
 * it opens a support case in their account.
 */
export async function requestQuotaIncrease(access: AwsAccess, region: string, quotaCode: string, desired: number): Promise<QuotaRequestResult> {
  const quotas = await awsClients(access).quotas(region);
  try {
    const out = await quotas.send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ec2', QuotaCode: quotaCode, DesiredValue: desired }));
    return { requestId: out.RequestedQuota?.Id ?? 'unknown', status: out.RequestedQuota?.Status ?? 'PENDING', desired: out.RequestedQuota?.DesiredValue ?? desired };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceAlreadyExistsException') {
      throw new CloudRigError('QuotaRequestOpen', 'An increase request for this quota is already open.', { action: 'quota-request-open', market: null });
    }
    throw await mapAwsError(error, { region, profile: access.profile ?? null, env: access.env });
  }
}

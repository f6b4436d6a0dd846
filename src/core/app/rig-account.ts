import type { GpuOffersQuery, GpuOffersView } from '../../shared/gpu-offers.js';
import type { CheckReport, InstanceTypeOption, QuotaRequestResult } from '../../shared/views.js';
import type { CheckTarget } from '../first-run-checks.js';
import type { AccountScan, CleanPlan } from '../account-inventory.js';
import type { SkyPilotTask } from '../skypilot-task.js';
import { listGpuOffers, listGpuOffersView, listInstanceTypes, requestQuota, runAccountChecks } from './account.js';
import { planClean, removeLeftovers, scanEverything, type CleanPlans, type RemovalResult } from './account-sweep.js';
import type { CloudRigCore, DefaultRegion, GpuOfferList } from './cloudrig-core.js';
import { runDoctor, type DoctorRequest } from './doctor.js';
import { exportSkyPilot } from './skypilot-export.js';

/** The AWS account as the faces ask about it: checks, quota, GPU offers, every billed resource, a hand-off. */
export class AccountUseCases {
  constructor(private readonly core: CloudRigCore) {}

  // ── The account ───────────────────────────────────────────────────────────────────────────

  doctor(request: DoctorRequest): Promise<CheckReport> {
    return runDoctor(this.core, request);
  }

  requestQuota(request: { readonly region: string; readonly quotaCode: string; readonly desired: number }): Promise<QuotaRequestResult> {
    return requestQuota(this.core, request);
  }

  gpuOffers(regions: readonly string[], gpu: string | null): Promise<GpuOfferList> {
    return listGpuOffers(this.core, regions, gpu);
  }

  /** The first-run checks: credentials, the default VPC, the vCPU quota for the type. */
  checks(target: CheckTarget): Promise<CheckReport> {
    return runAccountChecks(this.core, target);
  }

  /** The GPU instance types of a region with their on-demand price (the setup form's picker). */
  instanceTypes(region: string): Promise<InstanceTypeOption[]> {
    return listInstanceTypes(this.core, region);
  }

  /** The app's picker of GPU offers, sorted and quota-checked as `rig gpus` lists them. */
  gpuOffersView(query: GpuOffersQuery): Promise<GpuOffersView> {
    return listGpuOffersView(this.core, query);
  }

  enabledRegions(): Promise<string[]> {
    return this.core.account.enabledRegions();
  }

  /** The region the AWS SDK would use (AWS_REGION, the profile's), or null. */
  defaultRegion(): Promise<DefaultRegion | null> {
    return this.core.account.defaultRegion();
  }

  /** Every billed resource of the account, by region. */
  scanAccount(): Promise<AccountScan> {
    return scanEverything(this.core);
  }

  planClean(scan: AccountScan, options: { readonly images: boolean }): CleanPlans {
    return planClean(this.core, scan, options);
  }

  removeLeftovers(plan: CleanPlan, onResult?: (result: RemovalResult) => void): Promise<RemovalResult[]> {
    return removeLeftovers(this.core, plan, onResult);
  }

  exportSkyPilot(name: string, options: { readonly nodes: number; readonly gpus: string | null }): Promise<SkyPilotTask> {
    return exportSkyPilot(this.core, name, options);
  }
}

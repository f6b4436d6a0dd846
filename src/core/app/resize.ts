import type { InstanceFacts, InstanceStateName, Step } from '../../shared/workstation.js';
import { billedFailure } from '../billed-failure.js';
import { keeperOf } from '../duplicates.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import { thenFix } from '../../shared/fix-steps.js';
import { hourlyRateOf, type HourlyRate } from '../price-catalog.js';
import { checkArchitecture, checkDriver, type ResizeSubject } from '../resize-checks.js';
import { quotaCheck } from '../first-run-checks.js';
import { validateInstanceType } from '../validate.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { RunOptions } from './lifecycle.js';

/** What a resize will do, decided after every check passed and before anything changed. */
export interface ResizePlan {
  readonly name: string;
  readonly region: string;
  /** The instance whose type changes; null when there is none (only the spec changes). */
  readonly instanceId: string | null;
  readonly state: InstanceStateName | null;
  readonly from: string;
  readonly to: string;
  readonly priceBefore: HourlyRate | null;
  readonly priceAfter: HourlyRate | null;
  /** One line per check, saying what was looked at (and what was not). */
  readonly checked: readonly string[];
  /** The instance runs (or is starting): it has to stop before its type can change. */
  readonly needsStop: boolean;
  /** The instance and the spec already have this type. */
  readonly unchanged: boolean;
}

/** What a resize did. */
export interface ResizeResult extends ResizePlan {
  /** The instance was stopped for the resize. */
  readonly stopped: boolean;
}

/** States in which the instance must be stopped first (a stopping one is waited for, not asked about). */
const RUNNING: ReadonlySet<InstanceStateName> = new Set(['pending', 'running']);

/**
 * Checks a change of the workstation's instance type without changing anything: the type exists in
 * the region, runs the disk's architecture, has the driver its GPU needs (as far as the image's
 * name tells), fits the account's vCPU quota, and the instance is not spot (a persistent spot
 * request keeps the type it was made with). Throws the first refusal, with its fix.
 */
export async function planResize(core: CloudRigCore, name: string | undefined, instanceType: string, options: { readonly skipDriverCheck?: boolean } = {}): Promise<ResizePlan> {
  const to = validateInstanceType(instanceType, 'instanceTypeArgument');
  const spec = core.service.spec(name);
  const gateway = core.cloud.gateway(spec.region);
  const instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
  const from = instance?.instanceType ?? spec.instanceType;
  if (instance?.spot) {
    throw new CloudRigError('CannotResize',
      `${spec.name}'s instance ${instance.instanceId} is a spot instance: EC2 cannot change its type (its persistent spot request launches ${from}).`,
      { action: 'resize-by-relaunch', name: spec.name, instanceType: to });
  }
  const [target, fromFacts] = await Promise.all([gateway.describeInstanceType(to), gateway.describeInstanceType(from)]);
  if (target === null) {
    throw new CloudRigError('InvalidInput', `${spec.region} does not offer the instance type "${to}".`,
      { action: 'steps', steps: [{ action: 'correct-input', field: 'instanceTypeArgument', hint: `pick a type ${spec.region} offers.` }, { action: 'list-gpu-types', architecture: null }] });
  }
  const unchanged = from === to && spec.instanceType === to;
  const imageId = instance ? instance.imageId : (await gateway.resolveImage(spec.image, spec.name, spec.preferSavedImage)).imageId;
  const image = imageId ? await gateway.imageFacts(imageId) : null;
  const subject: ResizeSubject = { name: spec.name, from, fromFacts, to: target, image, imageId, imageSource: spec.image };
  const checked = [checkArchitecture(subject), checkDriver(subject, options.skipDriverCheck === true), await quotaLine(core, spec.region, to, spec.spot)]
    .filter((line): line is string => line !== null);
  const rate = (type: string): Promise<HourlyRate | null> =>
    hourlyRateOf(core.prices, { region: spec.region, instanceType: type, spot: spec.spot, availabilityZone: instance?.availabilityZone ?? null }).catch(() => null);
  const [priceBefore, priceAfter] = await Promise.all([rate(from), rate(to)]);
  return {
    name: spec.name,
    region: spec.region,
    instanceId: instance?.instanceId ?? null,
    state: instance?.state ?? null,
    from,
    to,
    priceBefore,
    priceAfter,
    checked,
    needsStop: instance !== null && RUNNING.has(instance.state) && instance.instanceType !== to,
    unchanged,
  };
}

/** The vCPU quota check `rig doctor` runs, for the new type in the workstation's market: refuses when it is too small. */
async function quotaLine(core: CloudRigCore, region: string, instanceType: string, spot: boolean): Promise<string> {
  const quota = await quotaCheck(await core.account.probe(region), { region, instanceType, spot }, spot);
  if (quota.status === 'fail' && quota.quotaRequest) {
    const { region: where, quotaCode, quotaName, desired } = quota.quotaRequest;
    throw new CloudRigError('VcpuLimitExceeded', `Your account's vCPU quota is too small for ${instanceType}: ${quota.detail}`,
      { action: 'request-quota', region: where, quotaCode, quotaName, desired, market: spot ? 'spot' : 'on-demand', instanceType });
  }
  return `vCPU quota: ${quota.detail}`;
}

/**
 * Carries out a plan: stops the instance when it runs (the caller asked the user), changes its type
 * with ModifyInstanceAttribute, then saves the new type in the spec, so the next launch uses it
 * too. The spec changes only after AWS accepted the change. Without an instance only the spec changes.
 */
export async function resizeWorkstation(core: CloudRigCore, plan: ResizePlan, options: RunOptions = {}): Promise<ResizeResult> {
  if (plan.unchanged) return { ...plan, stopped: false };
  let stopped = false;
  if (plan.instanceId !== null) {
    const gateway = core.cloud.gateway(plan.region);
    let instance = await currentInstance(core, plan);
    // An instance that already has the type is left as it is (running or not): only the spec follows.
    if (instance.instanceType !== plan.to) {
      if (instance.state !== 'stopped') {
        await core.service.stop(plan.name, options);
        stopped = true;
        instance = await currentInstance(core, plan);
      }
      const { instanceId, instanceType } = instance;
      options.onStep?.(step(`Changing ${instanceId} from ${instanceType} to ${plan.to} (its disk is kept)`, instanceId));
      await gateway.modifyInstanceType(instanceId, plan.to).catch(async (error: unknown) => {
        const info = toErrorInfo(error);
        const said = `AWS did not change ${instanceId} to ${plan.to}: ${info.message} It is still a ${instanceType}`;
        // What is billed follows its state now: stopped (as a type change needs), only its disk, and
        // `up` starts it as it was; anything else (started meanwhile, or unknown) is said as billed.
        const now = await gateway.describeInstance(instanceId).catch(() => null);
        if (now?.state === 'stopped') {
          throw new CloudRigError(info.code, `${said}, stopped: only its disk is billed; the spec is unchanged.`, thenFix(info.fix, { action: 'start', name: plan.name }));
        }
        throw billedFailure(new CloudRigError(info.code, `${said}; the spec is unchanged.`, info.fix),
          { workstation: plan.name, region: plan.region, instanceId, state: now?.state ?? null, instanceType, spot: instance.spot });
      });
    }
  }
  // Only the type changes in the file, as it is now: another writer's change to the rest is kept.
  core.settings.update((settings) => {
    const current = settings.workstations[plan.name];
    if (!current) return settings;
    return { ...settings, workstations: { ...settings.workstations, [plan.name]: { ...current, instanceType: plan.to } } };
  });
  if (plan.instanceId !== null) await core.service.refresh(plan.name, { probeSsh: false, force: true }).catch(() => undefined);
  return { ...plan, stopped };
}

/** The planned instance as EC2 reports it now; refuses when it changed underneath (replaced, terminated). */
async function currentInstance(core: CloudRigCore, plan: ResizePlan): Promise<InstanceFacts> {
  const instance = keeperOf(await core.cloud.gateway(plan.region).findWorkstationInstances(plan.name));
  if (!instance || instance.instanceId !== plan.instanceId) {
    throw new CloudRigError('InstanceInterrupted',
      `${plan.instanceId} is no longer ${plan.name}'s instance (now ${instance ? `${instance.instanceId}, ${instance.state}` : 'none'}); nothing was changed.`,
      { action: 'retry', reason: 'aws-said' });
  }
  return instance;
}

function step(label: string, instanceId: string): Step {
  return { id: 'resizing', label, instanceId };
}

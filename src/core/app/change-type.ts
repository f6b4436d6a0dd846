// The app's Change type…: the GPU picker's rows for a workstation, the same checks and prices as
// `rig resize`, and the change itself, run as the app runs its lifecycle operations.
import type { ResizeChoicesView, ResizeOutcomeView, ResizePlanView, ResizePurpose, RateView } from '../../shared/resize-view.js';
import { keeperOf } from '../duplicates.js';
import { CloudRigError } from '../errors.js';
import type { HourlyRate } from '../price-catalog.js';
import { CAPACITY_ROWS, sameGpuOrBetter } from '../resize-rows.js';
import { listGpuOffersView } from './account.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { OperationKind } from './operation-runner.js';
import { planResize, resizeWorkstation, type ResizePlan } from './resize.js';

/** States in which the instance must stop before its type can change. */
const RUNNING = new Set(['pending', 'running']);

/**
 * The rows Change type… offers: every GPU type of the workstation's region, as the picker lists
 * them; for a start that found no capacity, only the cheapest few with the same GPU or better
 * that the disk's zone offers (a stopped instance keeps its disk, and so its zone).
 */
export async function resizeChoices(core: CloudRigCore, name: string, purpose: ResizePurpose): Promise<ResizeChoicesView> {
  const spec = core.service.spec(name);
  const gateway = core.cloud.gateway(spec.region);
  const instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
  const from = instance?.instanceType ?? spec.instanceType;
  const zone = instance?.availabilityZone ?? null;
  const offers = await listGpuOffersView(core, { scope: 'region', region: spec.region, gpu: null });
  let rows = offers.rows;
  if (purpose === 'capacity') {
    const current = rows.find((row) => row.instanceType === from) ?? null;
    const offered = zone === null ? null : await gateway.instanceTypesInZone(zone);
    rows = rows.filter((row) => sameGpuOrBetter(current, row) && (offered === null || offered.has(row.instanceType))).slice(0, CAPACITY_ROWS);
  }
  return {
    name: spec.name,
    region: spec.region,
    purpose,
    from,
    instanceId: instance?.instanceId ?? null,
    state: instance?.state ?? null,
    zone,
    needsStop: instance !== null && RUNNING.has(instance.state),
    spot: instance?.spot ?? spec.spot,
    rows,
    problems: offers.problems,
  };
}

function rateView(rate: HourlyRate | null): RateView | null {
  if (rate === null) return null;
  return { usdPerHour: rate.usd, market: rate.market, source: rate.source, ...(rate.estimatedFrom ? { estimatedFrom: rate.estimatedFrom } : {}) };
}

/** A plan as the popover shows it. */
export function resizePlanView(plan: ResizePlan): ResizePlanView {
  return {
    name: plan.name,
    instanceId: plan.instanceId,
    state: plan.state,
    from: plan.from,
    to: plan.to,
    priceBefore: rateView(plan.priceBefore),
    priceAfter: rateView(plan.priceAfter),
    checked: plan.checked,
    needsStop: plan.needsStop,
    unchanged: plan.unchanged,
  };
}

/** The checks and prices of a change of type (`rig resize` before it asks), as the popover shows them. */
export async function planTypeChange(core: CloudRigCore, name: string, instanceType: string, skipDriverCheck: boolean): Promise<ResizePlanView> {
  return resizePlanView(await planResize(core, name, instanceType, { skipDriverCheck }));
}

/** What the dialog asks for: a type, and the user's answers to what the checks may ask. */
export interface TypeChangeRequest {
  readonly instanceType: string;
  /** The user pressed "Stop and change type": a running instance stops first. */
  readonly stopFirst: boolean;
  /** The user vouched that the image carries the NVIDIA driver its name does not show. */
  readonly skipDriverCheck: boolean;
  /** Start it once the type changed (the capacity error's one-click action). */
  readonly startAfter: boolean;
}

/** What Change type needs from the session that runs it. */
export interface TypeChangeHost {
  readonly core: CloudRigCore;
  /** The lifecycle operation under way on a workstation, if any. */
  operationOf(name: string): OperationKind | null;
  /** Runs work in the background as the workstation's operation (its progress and error show in the popover). */
  runOperation(name: string, kind: OperationKind, work: (signal: AbortSignal) => Promise<unknown>): void;
  /** Starts the workstation (in the background). */
  start(name: string): void;
  setNotice(text: string): void;
}

/**
 * Changes the workstation's type as `rig resize` does. A running instance is refused unless the
 * user asked to stop it first; then the stop and the change run in the background as its Stop
 * would. A stopped one changes at once, and starts after when asked.
 */
export async function changeType(host: TypeChangeHost, name: string, request: TypeChangeRequest): Promise<ResizeOutcomeView> {
  const under = host.operationOf(name);
  if (under !== null) {
    throw new CloudRigError('Busy', `${name} is busy (${under === 'up' ? 'starting' : under === 'stop' ? 'stopping' : 'terminating'}); its type can change once that is done.`,
      { action: 'retry', reason: 'busy' });
  }
  const plan = await planResize(host.core, name, request.instanceType, { skipDriverCheck: request.skipDriverCheck });
  const view = resizePlanView(plan);
  if (plan.unchanged) return { plan: view, status: 'unchanged', started: false };
  if (plan.needsStop) {
    if (!request.stopFirst) {
      throw new CloudRigError('NeedsConfirmation',
        `${plan.name}'s instance ${plan.instanceId} is ${plan.state}; its type can change only while it is stopped.`,
        { action: 'stop-to-resize', name: plan.name, instanceType: plan.to });
    }
    host.runOperation(name, 'stop', async (signal) => {
      await resizeWorkstation(host.core, plan, { signal });
      host.setNotice(`${name} is now a ${plan.to}, with the same disk`);
      if (request.startAfter) host.start(name);
    });
    return { plan: view, status: 'stopping', started: request.startAfter };
  }
  const done = await resizeWorkstation(host.core, plan);
  host.setNotice(`${name} is now a ${done.to}, with the same disk`);
  if (request.startAfter) host.start(name);
  return { plan: view, status: 'changed', started: request.startAfter };
}

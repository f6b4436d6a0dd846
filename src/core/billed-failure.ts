import type { InstanceFacts, InstanceStateName, WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError, toErrorInfo } from './errors.js';
import { thenFix } from '../shared/fix-steps.js';
import { bundledOnDemandHourly } from './price-catalog.js';
import { hourlyAmount } from '../shared/hourly-rate.js';
import type { LaunchLedger } from './ports.js';

/** What is known about an instance when an operation on it fails. */
export interface BilledInstance {
  readonly workstation: string;
  readonly region: string;
  readonly instanceId: string;
  /** Its last state EC2 reported; null when AWS could not be asked (e.g. the launch ledger's id). */
  readonly state: InstanceStateName | null;
  readonly instanceType: string;
  readonly spot: boolean;
}

/** States in which an instance is billed by the hour for compute. */
const BILLED_STATES: ReadonlySet<InstanceStateName> = new Set(['pending', 'running']);

/** Whether a failure with this instance left behind must say that money is flowing. */
export function mayBeBilled(instance: BilledInstance): boolean {
  return instance.state === null || BILLED_STATES.has(instance.state);
}

/** "by the hour (about $0.526/hour on demand)", or "by the hour (rate unknown)" when the bundled table lacks the type: never $0.00. */
export function rateWords(region: string, instanceType: string, spot: boolean): string {
  const price = bundledOnDemandHourly(region, instanceType);
  if (price === null) return 'by the hour (rate unknown)';
  const usd = hourlyAmount(price.usd, 'compare');
  return spot ? `by the hour (at most ${usd}/hour, the on-demand price)` : `by the hour (about ${usd}/hour on demand)`;
}

/**
 * The error of an operation that failed after money started flowing, saying so: which instance,
 * its last known state, that it is billed (and the rate), and the command that stops it. The
 * original code is kept (errors are data); an error that already names the instance as billed
 * passes through. `note` adds what else is true (e.g. an image that was saved and is kept).
 */
export function billedFailure(error: unknown, instance: BilledInstance | null, note = ''): CloudRigError {
  const info = toErrorInfo(error);
  const base = error instanceof CloudRigError ? error : new CloudRigError(info.code, info.message, info.fix);
  // An instance someone else stopped or terminated: its error says what became of it and what is
  // billed now, and the state this process last saw (pending, or unknown) is out of date.
  const interrupted = info.code === 'InstanceInterrupted' && instance !== null && info.message.includes(instance.instanceId);
  if (instance === null || interrupted || !mayBeBilled(instance) || (info.message.includes(instance.instanceId) && info.message.includes('billed'))) {
    return note ? new CloudRigError(info.code, `${info.message} ${note}`, info.fix) : base;
  }
  const { workstation, region, instanceId } = instance;
  const state = instance.state === null
    ? `may still be running (its state is unknown: AWS did not answer), and if it runs it is billed ${rateWords(region, instance.instanceType, instance.spot)}`
    : `is ${instance.state} and billed ${rateWords(region, instance.instanceType, instance.spot)}`;
  const message = `${info.message}${note ? ` ${note}` : ''} Instance ${instanceId} (workstation ${workstation}, ${instance.instanceType} in ${region}) ${state}.`;
  return new CloudRigError(info.code, message, thenFix(info.fix, { action: 'stop-billing', name: workstation, instanceId, region }));
}

/**
 * The error of a failed operation on `spec`, naming the instance that is still billed (if any) and
 * how to stop it: the instance last seen (`known`) or, failing that, the one the launch ledger
 * recorded. A launch whose request was sent but never answered may have started one: it says so.
 */
export async function failureSayingWhatIsBilled(ledger: LaunchLedger, spec: WorkstationSpec, known: InstanceFacts | null, error: unknown, note = ''): Promise<CloudRigError> {
  const instance = await billedInstance(ledger, spec, known);
  if (instance === null && error instanceof CloudRigError && error.code === 'EndpointUnreachable') {
    // A launch was requested and its answer never came: it may have started an instance.
    const record = await ledger.get(spec.name).catch(() => null);
    if (record && !record.instanceId) return unansweredLaunch(spec, error);
  }
  return billedFailure(error, instance, note);
}

/** The instance a failure leaves behind, as last seen (this process) or launched (the ledger). */
async function billedInstance(ledger: LaunchLedger, spec: WorkstationSpec, known: InstanceFacts | null): Promise<BilledInstance | null> {
  if (known) {
    return { workstation: spec.name, region: spec.region, instanceId: known.instanceId, state: known.state, instanceType: known.instanceType || spec.instanceType, spot: known.spot };
  }
  const record = await ledger.get(spec.name).catch(() => null);
  if (!record?.instanceId) return null;
  return { workstation: spec.name, region: spec.region, instanceId: record.instanceId, state: null, instanceType: spec.instanceType, spot: spec.spot };
}

/** The error of a launch whose RunInstances was sent but never answered (timeout, dropped connection). */
function unansweredLaunch(spec: WorkstationSpec, error: CloudRigError): CloudRigError {
  return new CloudRigError(error.code,
    `${error.message} The launch request for workstation ${spec.name} was sent but not answered, so it may have started an instance in ${spec.region}; if so it is billed ${rateWords(spec.region, spec.instanceType, spec.spot)}.`,
    thenFix(error.fix, { action: 'find-launch', name: spec.name }));
}

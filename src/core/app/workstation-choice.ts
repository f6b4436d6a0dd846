import type { InstanceFacts } from '../../shared/workstation.js';
import { isLive } from '../duplicates.js';
import { CloudRigError } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { namesByRegion } from './fleet-watch.js';

/**
 * Which rule picked the workstation a command acts on when none was named: `named` (the user named
 * it), `only` (there is one), `only-running` (the only one whose instance runs), `only-live` (the
 * only one with an instance that is not terminated: pending, running, stopping or stopped), or
 * `last-used` (the one a command or the app's switcher named last).
 */
export type ChoiceRule = 'named' | 'only' | 'only-running' | 'only-live' | 'last-used';

/** The workstation a command acts on, and why that one. */
export interface WorkstationChoice {
  readonly name: string;
  readonly rule: ChoiceRule;
}

/**
 * The workstation a command acts on. A name given must be one of this home's (see knownWorkstation). Without one: the
 * only workstation; else the only one whose instance runs; else the only one with an instance;
 * else the last one used; else an error that asks which. Naming a workstation makes it the last
 * one used. EC2 is asked (one call per region) only when there are several workstations and none
 * was named; when it cannot answer, the last one used still decides.
 */
export async function chooseWorkstation(core: CloudRigCore, name: string | undefined): Promise<WorkstationChoice> {
  const names = core.service.names();
  if (name !== undefined) {
    await knownWorkstation(core, name);
    rememberUse(core, name);
    return { name, rule: 'named' };
  }
  if (names.length <= 1) return { name: (await core.service.specOrFound(undefined)).name, rule: 'only' };
  const instances = await liveInstances(core, names).catch(() => null);
  if (instances) {
    const running = names.filter((each) => instances.get(each)?.some((i) => i.state === 'running'));
    if (running.length === 1) return { name: running[0]!, rule: 'only-running' };
    const live = names.filter((each) => instances.get(each)?.some(isLive));
    if (running.length === 0 && live.length === 1) return { name: live[0]!, rule: 'only-live' };
  }
  const last = lastUsed(core, names);
  if (last !== null) return { name: last, rule: 'last-used' };
  const why = instances ? 'none is the only one with an instance, and none was named before' : 'AWS could not say which has an instance';
  throw new CloudRigError('WhichWorkstation', `There are ${names.length} workstations (${names.join(', ')}): ${why}.`,
    { action: 'choose-workstation', names, missing: null });
}

/**
 * Checks that this home has a workstation `name`: else the error lists the ones it has, or, when it
 * has none (a new or lost home), says which of CloudRig's instances AWS runs under that name.
 */
export async function knownWorkstation(core: CloudRigCore, name: string): Promise<void> {
  const names = core.service.names();
  if (names.includes(name)) return;
  if (names.length === 0) await core.service.specOrFound(name);
  core.service.spec(name);
}

/** How a face says the rule after the name ("Using workstation gpu (the only one running)."); null for a name the user gave or the only one. */
export function choiceReason(rule: ChoiceRule): string | null {
  switch (rule) {
    case 'named':
    case 'only': return null;
    case 'only-running': return 'the only one running';
    case 'only-live': return 'the only one with an instance';
    case 'last-used': return 'the last one used';
  }
}

/**
 * Records that a command named `name`, in the settings' `lastUsed` (the same record the app's
 * switcher keeps), under the settings lock so another writer's change is kept. No write when it is
 * already the last one used: a command run again and again does not rewrite the file each time.
 */
export function rememberUse(core: CloudRigCore, name: string): void {
  const settings = core.settings.read();
  if (lastUsed(core, Object.keys(settings.workstations)) === name) return;
  const now = core.clock.now();
  core.settings.update((current) => {
    const latest = Math.max(now, ...Object.values(current.lastUsed).map((at) => at + 1));
    return { ...current, lastUsed: { ...current.lastUsed, [name]: latest } };
  });
}

/** The workstation among `names` used last, or null when none was. */
function lastUsed(core: CloudRigCore, names: readonly string[]): string | null {
  const { lastUsed: used } = core.settings.read();
  let best: string | null = null;
  for (const name of names) {
    const at = used[name];
    if (at !== undefined && (best === null || at > used[best]!)) best = name;
  }
  return best;
}

/** Every workstation's instances that are not terminated, from one DescribeInstances per region. */
async function liveInstances(core: CloudRigCore, names: readonly string[]): Promise<ReadonlyMap<string, readonly InstanceFacts[]>> {
  const byRegion = namesByRegion(names.map((name) => core.service.spec(name)));
  const answers = await Promise.all([...byRegion].map(([region, inRegion]) => core.cloud.gateway(region).findFleetInstances(inRegion)));
  return new Map(answers.flatMap((answer) => [...answer]));
}

import { CloudRigError, type Rig } from '../core/app/face.js';
import { jsonText, lineWriter, type Io } from './output.js';
import { printable } from '../shared/untrusted-text.js';
import { phaseText } from './cost-text.js';
import { statusJson, type StatusExtras } from './status-json.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { keepUpJson } from './keep-up-text.js';

/**
 * `rig status` with no name when there are several workstations: one line each (`--json`: an
 * array of the objects `rig status NAME --json` prints), from one DescribeInstances per region.
 * Returns false when there are fewer than two, so the caller shows the only one as before.
 */
export async function statusOfAll(rig: Rig, io: Io, options: { json: boolean; extras?: StatusExtras }): Promise<boolean> {
  if (rig.names().length < 2) return false;
  const described = await rig.describeAll();
  // This process asked AWS just now: when no answer came back at all, the status is unknown, so fail
  // (one region failing still lists the others, each with its own error).
  const first = described[0]?.error;
  if (first && described.every((snapshot) => snapshot.error !== null)) throw new CloudRigError(first.code, first.message, first.fix);
  const statuses = await Promise.all(described.map(async (before) => {
    const [{ snapshot, watchdog }, extra] = await Promise.all([
      (before.error ? Promise.resolve(before) : rig.probeReady(before.name)).then(async (ready) => ({ snapshot: ready, watchdog: await rig.watchdog(ready) })),
      options.extras ? options.extras(rig, before) : Promise.resolve<Record<string, unknown>>({}),
    ]);
    const spec = rig.spec(snapshot.name);
    return { ...statusJson(snapshot, { ...extra, ingressCidr: spec.ingressCidr, archive: spec.archive ?? null }), ...keepUpJson(watchdog, rig.clock.now()) };
  }));
  const write = lineWriter(io.stdout);
  if (options.json) {
    write(jsonText(statuses, 2));
    return true;
  }
  const width = Math.max(...statuses.map((s) => s.name.length));
  for (const s of statuses) {
    const billed = s.phase === 'running' || s.phase === 'ready';
    const rate = !billed ? '' : typeof s.hourlyUsd === 'number' ? `  ${formatHourly(s.hourlyUsd, 'compare')}` : s.priceUnknownReason ? `  rate unknown (${printable(s.priceUnknownReason)})` : '';
    const problem = s.error ? `  — ${printable(s.error.message)}` : s.setupFailure ? `  — setup: ${printable(s.setupFailure.message)}` : '';
    const keptUp = 'keptUpBy' in s && typeof s.keptUpBy === 'string' ? `  kept up: ${s.keptUpBy}` : '';
    write(`${s.name.padEnd(width)}  ${phaseText(s.phase).padEnd(11)} ${s.instanceType} in ${s.region}${s.instanceId ? `  ${s.instanceId}` : ''}${rate}${keptUp}${problem}`);
  }
  const running = statuses.filter((s) => s.phase === 'running' || s.phase === 'ready');
  const total = running.reduce((sum, s) => sum + (typeof s.hourlyUsd === 'number' ? s.hourlyUsd : 0), 0);
  // A running workstation without a rate makes the sum a floor: say so, never a silent $0.
  const unknown = running.filter((s) => typeof s.hourlyUsd !== 'number').map((s) => s.name);
  const totalText = unknown.length === 0
    ? `${formatHourly(total, 'compare')} in total`
    : unknown.length === running.length
      ? `rate unknown (${unknown.join(', ')})`
      : `at least ${formatHourly(total, 'compare')} in total (rate unknown: ${unknown.join(', ')})`;
  write(running.length ? `${running.length} of ${statuses.length} running, ${totalText}. \`rig status NAME\` shows one.` : `None of ${statuses.length} running. \`rig status NAME\` shows one.`);
  const warning = statuses.map((s) => s.budgetWarning).find((text): text is string => typeof text === 'string');
  if (warning) write(`Warning: ${warning}.`);
  return true;
}

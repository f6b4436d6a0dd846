import { Option } from 'commander';
import { snoozeCommand } from '../core/idle-watchdog.js';
import { snoozeReminders } from '../core/reminder-policy.js';
import { FileReminderStore } from '../adapters/store/reminder-store.js';
import { CloudRigError } from '../core/errors.js';
import { FleetWatch } from '../core/app/fleet-watch.js';
import { spendChart } from '../core/spend-chart.js';
import { spendChartLines } from './spend-chart-text.js';
import type { InstanceFacts, Snapshot } from '../shared/workstation.js';
import type { Core } from '../adapters/compose.js';
import { workstationName, type CommandRegistrar, type StatusExtras } from './program.js';

/** Cost fields of `rig status --json`: hourly and session cost, the month, the price's source. */
export const costStatusExtras: StatusExtras = async (core: Core, snapshot: Snapshot) => {
  const spec = core.service.spec(snapshot.name);
  const cost = await core.costs.observe(spec, snapshot.instance, core.clock.now());
  return {
    hourlyUsd: cost.hourlyUsd,
    priceSource: cost.priceSource,
    market: cost.market,
    sessionUsd: round(cost.sessionUsd),
    monthUsd: round(cost.monthUsd),
    monthComplete: cost.monthComplete,
    idleStopMinutes: cost.idleStopMinutes,
  };
};

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** `rig cost [--json]` and `rig snooze [N] [--hours H]`. */
export const registerCostCommands: CommandRegistrar = (program, { core, io }) => {
  const out = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };

  program
    .command('cost')
    .description("This month's cost per workstation, what keeps costing while stopped, and the month's daily spend as a chart.")
    .option('--json', 'print a JSON object')
    .action(async (opts: { json?: boolean }) => {
      const c = await core();
      const specs = c.service.names().map((name) => c.service.spec(name));
      const instances = new Map<string, InstanceFacts | null>();
      // Every workstation in one DescribeInstances per region.
      const { snapshots } = await new FleetWatch({ service: c.service, cloud: c.cloud, clock: c.clock }).poll();
      for (const snapshot of snapshots) {
        instances.set(snapshot.name, snapshot.instance);
        await c.costs.observe(c.service.spec(snapshot.name), snapshot.instance, c.clock.now());
      }
      const now = c.clock.now();
      const report = await c.costs.report(specs, instances, now);
      const chart = spendChart(await c.costs.histories(), now, c.settings.read().reminders.monthlyBudgetUsd);
      if (opts.json) return out(JSON.stringify({ ...report, chart }, null, 2));
      out(`${report.month} (UTC): ${dollars(report.monthUsd)} of instance time so far.`);
      for (const w of report.workstations) {
        const running = w.running ? `, running — this session ${dollars(w.sessionUsd)}` : '';
        out(`  ${w.name}: ${dollars(w.monthUsd)}${w.monthComplete ? '' : ' (at least; history starts mid-month)'}${running}`);
        for (const item of w.stillCosting?.items ?? []) {
          out(`    still costing: ${item.label} — ${dollars(item.monthlyUsd)}/month (${item.source})`);
        }
      }
      if (report.stillCostingMonthlyUsd > 0) {
        out(`Kept resources cost about ${dollars(report.stillCostingMonthlyUsd)}/month even while stopped; \`rig down\` and \`rig images rm\` remove them.`);
      }
      out('');
      for (const line of spendChartLines(chart)) out(line);
    });

  program
    .command('snooze')
    .argument('[name]', 'workstation name (optional when there is one)', workstationName)
    .description('Keep the workstation awake: the idle auto-stop and the reminders wait (default 1 hour).')
    .addOption(new Option('--hours <hours>', 'how long to keep it awake').default('1'))
    .action(async (name: string | undefined, opts: { hours: string }) => {
      const hours = Number(opts.hours);
      if (!Number.isFinite(hours) || hours <= 0) {
        throw new CloudRigError('InvalidInput', `"${opts.hours}" is not a number of hours.`, { action: 'correct-input', field: 'snoozeHours', hint: 'pass a number such as 1 or 2.5.' });
      }
      const c = await core();
      const target = await c.service.sshTarget(name);
      const command = snoozeCommand(hours, Math.floor(c.clock.now() / 1000), process.env.CLOUDRIG_KEEPALIVE_FILE || undefined);
      const result = await c.ssh.exec(target, command, 15_000);
      if (result.code !== 0) {
        throw new CloudRigError('SnoozeFailed', `The workstation did not take the snooze: ${result.stderr.trim() || `exit ${result.code}`}.`, { action: 'retry', reason: 'snooze' });
      }
      // The app's reminders wait as long as the watchdog does.
      const reminders = new FileReminderStore(c.home);
      await reminders.write(snoozeReminders(await reminders.read(), c.clock.now(), hours));
      out(`Idle auto-stop snoozed for ${hours} h (until ${new Date(c.clock.now() + hours * 3_600_000).toLocaleTimeString()}).`);
    });
};

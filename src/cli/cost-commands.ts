import { CloudRigError } from '../core/app/face.js';
import { Option } from 'commander';
import { spendChartLines } from './spend-chart-text.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';
import { workstationName, type CommandRegistrar } from './program.js';
import type { StatusExtras } from './status-json.js';
import { jsonText, lineWriter } from './output.js';
import type { SnoozeJson } from './command-json.js';
import { formatUsd, pricedSum } from '../shared/money.js';

/** Cost fields of `rig status --json`: hourly and session cost, the month, the price's source. */
export const costStatusExtras: StatusExtras = async (rig, snapshot) => ({ ...(await rig.cost.now(snapshot)) });

/** `rig cost [--json]` and `rig snooze [N] [--hours H]`. */
export const registerCostCommands: CommandRegistrar = (program, { rig, io }) => {
  const out = lineWriter(io.stdout);

  program
    .command('cost')
    .description("This month's cost per workstation, what keeps costing while stopped, and the month's daily spend as a chart.")
    .option('--json', 'print a JSON object')
    .action(async (opts: { json?: boolean }) => {
      const report = await (await rig()).cost.report();
      if (opts.json) return out(JSON.stringify(report, null, 2));
      const unpriced = report.monthUnpriced ? " (a run's rate is unknown, so it is not counted)" : '';
      out(`${report.month} (UTC): ${pricedSum(report.monthUsd, report.monthUnpriced)} of instance time so far${unpriced}.`);
      for (const w of report.workstations) {
        const running = !w.running ? '' : `, running — this session ${w.sessionUsd === null ? 'unknown' : formatUsd(w.sessionUsd)}`;
        const partial = w.monthComplete ? '' : w.monthUnpriced ? ' (history starts mid-month)' : ' (at least; history starts mid-month)';
        out(`  ${w.name}: ${pricedSum(w.monthUsd, w.monthUnpriced)}${partial}${running}`);
        if (w.priceUnknown) out(`    rate unknown — ${w.priceUnknown.reason}. Fix: ${w.priceUnknown.fix}.`);
        for (const item of w.stillCosting?.items ?? []) {
          out(`    still costing: ${item.label} — ${formatUsd(item.monthlyUsd)}/month (${item.source})`);
        }
      }
      if (report.stillCostingMonthlyUsd > 0) {
        out(`Kept resources cost about ${formatUsd(report.stillCostingMonthlyUsd)}/month even while stopped; \`rig down\` and \`rig images rm\` remove them.`);
      }
      if (report.budgetWarning) out(`Warning: ${report.budgetWarning}.`);
      out('');
      for (const line of spendChartLines(report.chart)) out(line);
    });

  program
    .command('snooze')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Keep the workstation awake: the idle auto-stop and the reminders wait (default 1 hour).')
    .addOption(new Option('--hours <hours>', 'how long to keep it awake').default('1'))
    .option('--json', 'print { name, hours, until } (until: ISO 8601, UTC)')
    .action(async (name: string | undefined, opts: { hours: string; json?: boolean }) => {
      const hours = Number(opts.hours);
      if (!Number.isFinite(hours) || hours <= 0) {
        throw new CloudRigError('InvalidInput', `"${opts.hours}" is not a number of hours.`, { action: 'correct-input', field: 'snoozeHours', hint: 'pass a number such as 1 or 2.5.' });
      }
      const c = await rig();
      const snoozed = await c.snooze({ name: await workstationFor(c, io, name), hours });
      if (opts.json) return out(jsonText({ name: snoozed.name, hours: snoozed.hours, until: new Date(snoozed.until).toISOString() } satisfies SnoozeJson, 2));
      out(`Idle auto-stop snoozed for ${snoozed.hours} h (until ${new Date(snoozed.until).toLocaleTimeString()}); reminders wait as long.`);
    });
};

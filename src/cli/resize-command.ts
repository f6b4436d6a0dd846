import { type HourlyRate, type ResizePlan, validateName } from '../core/app/face.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { printable } from '../shared/untrusted-text.js';
import { jsonText, lineWriter } from './output.js';
import { confirmOrRefuse } from './prompt.js';
import type { CommandRegistrar } from './program.js';

/** A rate as `rig resize` shows it: the price, the market and where the price came from. */
export function rateText(rate: HourlyRate | null): string {
  if (rate === null) return 'unknown (no price for it)';
  const estimate = rate.estimatedFrom ? `, estimated from ${rate.estimatedFrom}` : '';
  return `${formatHourly(rate.usd, 'compare')} ${rate.market} (${rate.source} price${estimate})`;
}

/** A rate as `--json` gives it. */
function rateJson(rate: HourlyRate | null): { usdPerHour: number; market: string; source: string; estimatedFrom?: string } | null {
  if (rate === null) return null;
  return { usdPerHour: rate.usd, market: rate.market, source: rate.source, ...(rate.estimatedFrom ? { estimatedFrom: rate.estimatedFrom } : {}) };
}

/**
 * `rig resize [NAME] TYPE [--yes] [--skip-driver-check] [--json]`: changes the workstation's
 * instance type keeping its disk. Checks first (type, architecture, driver, quota, spot), then
 * stops a running instance (asking, or with --yes), changes the type, and saves it in the spec.
 */
export const registerResizeCommand: CommandRegistrar = (program, { rig, io, progress }) => {
  program
    .command('resize')
    .usage('[options] [name] <type>')
    .argument('<name-or-type>', 'the workstation name (optional when there is one), or the new type when it is left out')
    .argument('[type]', 'the new instance type, e.g. g5.xlarge')
    .description('Change the instance type, keeping the disk (the instance must be stopped; asks to stop it).')
    .option('--yes', 'stop a running instance without asking')
    .option('--skip-driver-check', 'the image carries the NVIDIA driver even though its name does not say so')
    .option('--json', 'print { name, instanceId, from, to, priceBefore, priceAfter } as JSON')
    .addHelpText('after', '\nExamples:\n  rig resize gpu g5.xlarge\n  rig resize g4dn.2xlarge --yes')
    .action(async (first: string, second: string | undefined, opts: { yes?: boolean; skipDriverCheck?: boolean; json?: boolean }) => {
      const name = second === undefined ? undefined : validateName(first, 'nameArgument');
      const type = second ?? first;
      const out = lineWriter(io.stdout);
      const c = await rig();
      const plan = await c.planResize(name, type, { skipDriverCheck: opts.skipDriverCheck === true });
      if (!opts.json) {
        out(`${plan.name}: ${plan.from} → ${plan.to}${plan.instanceId ? ` (${plan.instanceId}, ${plan.state})` : ' (no instance)'}`);
        for (const line of plan.checked) out(`  ${printable(line)}`);
        out(`Price: ${rateText(plan.priceBefore)} → ${rateText(plan.priceAfter)}`);
      }
      if (plan.needsStop) {
        const stop = await confirmOrRefuse(io, {
          yes: opts.yes, json: opts.json,
          refusal: `${plan.name}'s instance ${plan.instanceId} is ${plan.state}; its type can change only while it is stopped, and there is no terminal to ask whether to stop it.`,
          fix: { action: 'stop-to-resize', name: plan.name, instanceType: plan.to },
          message: `Stop ${plan.name} first?`, default: true,
        });
        // With --json, stdout holds only the object: the answer's line goes to stderr.
        if (!stop) return lineWriter(opts.json ? io.stderr : io.stdout)('Nothing was changed.');
      }
      const bar = progress();
      const result = await c.resize(plan, { onStep: bar.step });
      bar.done();
      if (opts.json) {
        return out(jsonText({
          name: result.name, instanceId: result.instanceId, from: result.from, to: result.to,
          priceBefore: rateJson(result.priceBefore), priceAfter: rateJson(result.priceAfter), stopped: result.stopped, checked: result.checked,
        }, 2));
      }
      out(doneLine(result));
    });
};

/** What changed, and what happens next. */
function doneLine(plan: ResizePlan): string {
  if (plan.unchanged) return `${plan.name} is already a ${plan.to}; nothing was changed.`;
  if (plan.instanceId !== null && plan.from === plan.to) return `${plan.instanceId} already is a ${plan.to}; the spec now says so too.`;
  if (plan.instanceId === null) return `${plan.name} has no instance: its spec now says ${plan.to}, so the next launch (\`rig up ${plan.name}\`) is a ${plan.to}.`;
  return `${plan.instanceId} is now a ${plan.to}, with the same disk; it is stopped: \`rig up ${plan.name}\` starts it.`;
}

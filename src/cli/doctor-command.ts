import confirm from '@inquirer/confirm';
import { Option } from 'commander';
import { CloudRigError } from '../core/errors.js';
import { cliFix } from './fix-wording.js';
import { validateInstanceType, validateRegion } from '../core/validate.js';
import { requestQuota, runAccountChecks } from '../core/app/account.js';
import { workstationName, type CommandRegistrar } from './program.js';
import { lineWriter } from './output.js';

const MARK = { ok: '✔', warn: '!', fail: '✗', skipped: '-' } as const;

/**
 * `rig doctor [N] [--region R --type T] [--request-quota] [--yes] [--json]`: the first-run
 * checks (credentials, default VPC, vCPU quota) and, after confirmation, a quota increase.
 */
export const registerDoctor: CommandRegistrar = (program, { core, io }) => {
  program
    .command('doctor')
    .argument('[name]', 'workstation name (optional when there is one)', workstationName)
    .description('Check credentials, the default VPC and the vCPU quota for the instance type.')
    .addOption(new Option('--region <region>', 'check this region instead of the workstation\'s'))
    .addOption(new Option('--type <type>', 'check this instance type instead of the workstation\'s'))
    .option('--spot', 'check the spot quota')
    .option('--request-quota', 'ask AWS for the vCPUs the type needs when the quota is too low')
    .option('--yes', 'do not ask before filing the quota request')
    .option('--json', 'print the report as JSON')
    .action(async (name: string | undefined, opts: { region?: string; type?: string; spot?: boolean; requestQuota?: boolean; yes?: boolean; json?: boolean }) => {
      const c = await core();
      const spec = opts.region && opts.type ? null : c.service.spec(name);
      const target = {
        region: validateRegion(opts.region ?? spec!.region),
        instanceType: validateInstanceType(opts.type ?? spec!.instanceType),
        spot: opts.spot ?? spec?.spot ?? false,
      };
      const report = await runAccountChecks(c, target);
      const out = lineWriter(io.stdout);
      if (opts.json) out(JSON.stringify(report, null, 2));
      else {
        for (const check of report.checks) {
          out(`${MARK[check.status]} ${check.title}: ${check.detail}${check.fix ? ` Fix: ${cliFix(check.fix)}` : ''}`);
        }
      }
      const offer = report.checks.find((check) => check.quotaRequest)?.quotaRequest ?? null;
      if (opts.requestQuota && offer) {
        if (!opts.yes) {
          if (!io.stdinIsTty) {
            throw new CloudRigError('NeedsConfirmation', `Refusing to request ${offer.desired} vCPUs for "${offer.quotaName}" without confirmation (no terminal to ask on).`, 'Pass --yes to confirm.');
          }
          const ok = await confirm({ message: `Ask AWS to raise "${offer.quotaName}" in ${offer.region} from ${offer.current} to ${offer.desired} vCPUs?`, default: true });
          if (!ok) return out('No request was filed.');
        }
        const filed = await requestQuota(c, offer);
        out(`Requested ${filed.desired} vCPUs for "${offer.quotaName}" in ${offer.region} (request ${filed.requestId}, ${filed.status}). AWS usually answers within a day.`);
        return;
      }
      if (opts.requestQuota && !offer) out('The quota needs no request.');
      if (!report.ok) {
        const failed = report.checks.filter((check) => check.status === 'fail').map((check) => check.title);
        throw new CloudRigError('ChecksFailed', `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}.`,
          offer ? 'Run `rig doctor --request-quota` for the quota; fix the others as shown above.' : 'Fix them as shown above, then run rig doctor again.');
      }
    });
};

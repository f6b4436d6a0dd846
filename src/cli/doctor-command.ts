import { CloudRigError, validateInstanceType, validateRegion } from '../core/app/face.js';
import { Option } from 'commander';
import { cliFix } from './fix-wording.js';
import type { Check, CheckReport } from '../shared/views.js';
import { printable } from '../shared/untrusted-text.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';
import { workstationName, type CommandRegistrar } from './program.js';
import { jsonText, lineWriter } from './output.js';
import { confirmOrRefuse } from './prompt.js';

const MARK = { ok: '✔', warn: '!', fail: '✗', skipped: '-' } as const;

/** One check as a line: mark, title, what was found, and the fix (a skipped check's says what would let it run). */
function checkLine(check: Check): string {
  const fix = check.fix ? ` ${check.status === 'skipped' ? '' : 'Fix: '}${cliFix(check.fix)}` : '';
  return printable(`${MARK[check.status]} ${check.title}: ${check.detail}${fix}`);
}

/** The report for scripts: every check with its fix both structured and as `rig` words it. */
function reportJson(report: CheckReport): unknown {
  return { ...report, checks: report.checks.map((check) => ({ ...check, fixText: check.fix ? cliFix(check.fix) : null })) };
}

/**
 * `rig doctor [N] [--region R --type T] [--spot | --on-demand] [--request-quota] [--yes] [--json]`:
 * credentials, region, default VPC, image, both markets' vCPU quota, key pair and private key,
 * security group against this machine's address, ssh config Include; after confirmation, a quota increase.
 */
export const registerDoctor: CommandRegistrar = (program, { rig, io }) => {
  program
    .command('doctor')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Check what `rig up` and ssh need: credentials, region, default VPC, image, vCPU quota (on-demand and spot), key pair and private key, security group and your address, ssh config Include.')
    .addOption(new Option('--region <region>', 'check this region instead of the workstation\'s (default without one: AWS_REGION or us-east-1)'))
    .addOption(new Option('--type <type>', 'check this instance type instead of the workstation\'s'))
    .addOption(new Option('--spot', 'take spot as the market launches use (for --request-quota)').conflicts('onDemand'))
    .option('--on-demand', 'take on-demand as the market launches use (for --request-quota)')
    .option('--request-quota', 'ask AWS for the vCPUs the type needs when the quota of the market in use is too low')
    .option('--yes', 'do not ask before filing the quota request')
    .option('--json', 'print every check as JSON: id, status, title, detail, fix (structured) and fixText')
    .action(async (name: string | undefined, opts: { region?: string; type?: string; spot?: boolean; onDemand?: boolean; requestQuota?: boolean; yes?: boolean; json?: boolean }) => {
      const c = await rig();
      // The checks are of a workstation unless --region and --type ask about the account alone: the
      // one named, or the one the name rules pick (said on stderr, so --json stays parseable).
      const accountAlone = name === undefined && ((opts.region !== undefined && opts.type !== undefined) || c.names().length === 0);
      const report = await c.account.doctor({
        name: accountAlone ? undefined : await workstationFor(c, io, name),
        region: opts.region === undefined ? undefined : validateRegion(opts.region, 'region'),
        instanceType: opts.type === undefined ? undefined : validateInstanceType(opts.type, 'instanceType'),
        spot: opts.spot ? true : opts.onDemand ? false : undefined,
        defaultRegion: io.env.AWS_REGION ?? 'us-east-1',
      });
      const out = lineWriter(io.stdout);
      // With --json, stdout holds only the report: the quota request's lines go to stderr.
      const say = opts.json ? lineWriter(io.stderr) : out;
      if (opts.json) out(jsonText(reportJson(report), 2));
      else for (const check of report.checks) out(checkLine(check));
      const inUse = report.checks.find((check) => check.quota?.inUse) ?? null;
      const offer = inUse?.quotaRequest ?? null;
      if (opts.requestQuota && offer) {
        const ok = await confirmOrRefuse(io, {
          yes: opts.yes, json: opts.json,
          refusal: `Refusing to request ${offer.desired} vCPUs for "${offer.quotaName}" without confirmation (no terminal to ask on).`,
          message: `Ask AWS to raise "${offer.quotaName}" in ${offer.region} from ${offer.current} to ${offer.desired} vCPUs?`, default: true,
        });
        if (!ok) return say('No request was filed.');
        const filed = await c.account.requestQuota(offer);
        say(`Requested ${filed.desired} vCPUs for "${offer.quotaName}" in ${offer.region} (request ${filed.requestId}, ${filed.status}). AWS usually answers within a day.`);
        return;
      }
      if (opts.requestQuota) quotaNeedsNoRequest(inUse, say);
      if (!report.ok) {
        const failed = report.checks.filter((check) => check.status === 'fail').map((check) => check.title);
        throw new CloudRigError('ChecksFailed', `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}.`,
          { action: 'fix-checks', then: offer ? 'request-quota' : 'check-again' });
      }
    });
};

/**
 * `--request-quota` found nothing to file: says why, and only what is known. An unknown quota is
 * an error: nobody can tell whether a request is needed until it is read some other way.
 */
function quotaNeedsNoRequest(check: Check | null, out: (line: string) => void): void {
  const quota = check?.quota;
  if (!check || !quota) throw new CloudRigError('QuotaUnknown', 'The quota was not checked (see the lines above).', { action: 'fix-checks', then: 'request-quota-again' });
  if (quota.value === null) {
    throw new CloudRigError('QuotaUnknown',
      `Cannot tell whether "${quota.quotaName}" in ${quota.region} needs a request, so nothing was filed: ${check.detail.replace(/^Unknown: /, '')}`,
      { action: 'check-quota', region: quota.region, quotaCode: quota.quotaCode, quotaName: quota.quotaName });
  }
  if (quota.need === null) {
    throw new CloudRigError('QuotaUnknown', `Cannot tell whether "${quota.quotaName}" in ${quota.region} needs a request: what the instance type needs could not be read, so nothing was filed.`,
      check.fix ?? { action: 'retry', reason: 'aws-said' });
  }
  if (quota.value >= quota.need) return out(`"${quota.quotaName}" in ${quota.region} allows ${quota.value} vCPUs, enough for the ${quota.need} needed: no request to file.`);
  out(`A request for "${quota.quotaName}" in ${quota.region} is already open; AWS usually answers within a day.`);
}

import { Option } from 'commander';
import { CloudRigError, type DefaultRegion, type GpuOffer, quotaAllows, type Rig, selectGpuOffers, shellQuote, validateAmiId, validateCidr, validateInstanceType, validateInteger, validateName, validateParameterPath, validateRegion, validateSshHost, validateSshUser } from '../core/app/face.js';
import { ARCHIVE_AFTER_DAYS, DISK_GIB, IDLE_MINUTES } from '../shared/limits.js';
import { DEFAULT_AMI_PARAMETER } from '../shared/workstation.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { flag, jsonText, lineWriter, warningLine, type Io } from './output.js';
import { initJson } from './command-json.js';
import { readSetupScript } from './setup-script-option.js';
import { terminalAsker, type Asker } from './prompt.js';
import type { CommandRegistrar } from './program.js';

/** What a new workstation gets when neither a flag nor an answer names it. */
const DEFAULTS = { instanceType: 'g4dn.xlarge', diskGiB: 100, idleMinutes: 60 } as const;
/** How many GPU types the type question lists. */
const OFFERS_LISTED = 6;
/** The type question lists the account's GPU offers only when they come this fast; else it just asks. */
const OFFERS_WAIT_MS = 5_000;

interface InitOptions {
  name?: string; region?: string; type?: string; ami?: string; amiParam?: string; disk?: number; idleMinutes?: number; spot?: boolean; onDemand?: boolean;
  sshUser?: string; sshHost?: string; sshPort?: number; cidr?: string; newKey?: boolean; allowAnywhere?: boolean; setup?: string | false; json?: boolean;
  archiveAfterDays?: number; autoArchive?: boolean;
}

/** The values a new workstation still needs, from flags, the AWS configuration, questions or defaults. */
interface Chosen {
  readonly region?: string;
  readonly instanceType?: string;
  readonly diskGiB?: number;
  readonly idleMinutes?: number;
}

/** `rig init`: save a workstation's spec, make its key pair and security group, and say what comes next. */
export const registerInitCommand: CommandRegistrar = (program, { rig: getRig, io: shellIo, progress }) => {
  program
    .command('init')
    .description('Save the workstation spec and create its key pair and security group (idempotent). On a terminal, asks for what a new workstation is missing.')
    .option('--name <name>', 'workstation name', flag(validateName))
    .addOption(new Option('--region <region>', 'AWS region, e.g. us-east-1 (default: AWS_REGION, else your AWS profile\'s region)').argParser(flag((v) => validateRegion(v))))
    .addOption(new Option('--type <type>', `instance type (default ${DEFAULTS.instanceType})`).argParser(flag((v) => validateInstanceType(v))))
    .addOption(new Option('--ami <id>', 'launch from this AMI').argParser(flag((v) => validateAmiId(v))).conflicts('amiParam'))
    .addOption(new Option('--ami-param <path>', `SSM parameter naming the AMI (default ${DEFAULT_AMI_PARAMETER})`).argParser(flag((v) => validateParameterPath(v))))
    .option('--disk <gib>', `root disk size in GiB (gp3; default ${DEFAULTS.diskGiB})`, flag((v) => validateInteger(v, 'diskGiB', DISK_GIB.min, DISK_GIB.max)))
    .option('--idle-minutes <n>', `stop the instance after this many idle minutes (${IDLE_MINUTES.min} to ${IDLE_MINUTES.max}; default ${DEFAULTS.idleMinutes})`,
      flag((v) => validateInteger(v, 'idleMinutes', IDLE_MINUTES.min, IDLE_MINUTES.max)))
    .option('--spot', 'use a persistent spot instance (stops when interrupted)')
    .option('--on-demand', 'use an on-demand instance')
    .option('--ssh-user <user>', 'login user on the image (default ubuntu)', flag((v) => validateSshUser(v)))
    .option('--ssh-host <host>', 'connect to this host instead of the instance address (VPN, tunnel)', flag((v) => validateSshHost(v)))
    .option('--ssh-port <port>', 'ssh port (default 22)', flag((v) => validateInteger(v, 'sshPort', 1, 65_535)))
    .option('--new-key', 'replace the key pair in AWS with a new one made here (when its private key is lost)')
    // Syntax and host bits are checked here; whether everyone may connect waits for --allow-anywhere.
    .option('--cidr <cidr|auto>', 'addresses admitted on tcp/22 (default auto: your public IP /32)', flag((v) => (v === 'auto' ? v : validateCidr(v, 'ingressCidr', { allowAnywhere: true }))))
    .option('--allow-anywhere', 'confirm a --cidr that admits every address (0.0.0.0/0)')
    .option('--setup <file>', 'a script run once, as the ssh user, on the first boot of a fresh instance; rig up shows its output')
    .option('--no-setup', 'remove the setup script')
    .option('--archive-after-days <n>', `days stopped before the reminder offers to archive it (${ARCHIVE_AFTER_DAYS.min} to ${ARCHIVE_AFTER_DAYS.max}; default ${ARCHIVE_AFTER_DAYS.default})`,
      flag((v) => validateInteger(v, 'archiveAfterDays', ARCHIVE_AFTER_DAYS.min, ARCHIVE_AFTER_DAYS.max)))
    .option('--auto-archive', 'archive it by itself after those days stopped, with a notice the day before (the app does it; off by default)')
    .option('--no-auto-archive', 'only remind; never archive by itself')
    .option('--json', 'print { name, region, instanceType, …, created, keyPath, warnings, next } once saved; questions and the summary go to stderr')
    .action(async (opts: InitOptions) => {
      // With --json, stdout holds the one object: questions and the lines for people go to stderr.
      const io = opts.json ? { ...shellIo, stdout: shellIo.stderr } : shellIo;
      const out = lineWriter(io.stdout);
      const setupScript = typeof opts.setup === 'string' ? await readSetupScript(opts.setup) : opts.setup === false ? null : undefined;
      const rig = await getRig();
      const names = rig.names();
      const name = opts.name ?? (names.length === 1 ? names[0]! : 'gpu');
      // A saved workstation keeps what no flag changes; only a new one needs values chosen for it.
      const isNew = !names.includes(name);
      const chosen = isNew ? await chooseMissing(rig, io, name, opts) : {};
      const bar = progress();
      const result = await rig.setUp({
        name,
        region: chosen.region ?? opts.region,
        instanceType: chosen.instanceType ?? opts.type,
        image: opts.ami ? { kind: 'ami', imageId: opts.ami } : opts.amiParam ? { kind: 'parameter', path: opts.amiParam } : undefined,
        diskGiB: chosen.diskGiB ?? opts.disk,
        autoStopMinutes: chosen.idleMinutes ?? opts.idleMinutes,
        spot: opts.spot ? true : opts.onDemand ? false : undefined,
        sshUser: opts.sshUser,
        sshHost: opts.sshHost,
        sshPort: opts.sshPort,
        ingressCidr: opts.cidr,
        ingressAnywhere: opts.allowAnywhere ? true : undefined,
        setupScript,
        archiveAfterDays: opts.archiveAfterDays,
        autoArchive: opts.autoArchive,
      }, { onStep: bar.step, newKey: opts.newKey === true });
      bar.done();
      rig.rememberUse(name);
      const { spec } = result;
      out(`Workstation ${name}: ${spec.instanceType} in ${spec.region}, ssh from ${spec.ingressCidr}, stops after ${spec.autoStop.idleMinutes} idle minutes.`);
      out(result.created.length ? `Created: ${result.created.join(', ')}.` : 'Nothing new to create.');
      out(`Private key: ${result.keyPath}`);
      if (spec.setupScript) out('Setup script: runs once on the first boot of the next fresh instance; `rig up` shows its output.');
      if (opts.archiveAfterDays !== undefined || opts.autoArchive !== undefined) out(archiveLine(spec.archiveAfterDays ?? ARCHIVE_AFTER_DAYS.default, spec.autoArchive === true));
      for (const warning of result.warnings) io.stderr.write(`${warningLine(warning)}\n`);
      const next = `rig up ${shellQuote(name)}`;
      out(`Next: \`${next}\` starts it${await rateText(rig, spec)}.`);
      if (opts.json) shellIo.stdout.write(`${jsonText(initJson(result, next), 2)}\n`);
    });
};

/** What happens to the workstation once it has been stopped for a while. */
function archiveLine(days: number, auto: boolean): string {
  return auto
    ? `Archive: after ${days} days stopped the app archives it by itself (a notice the day before); \`rig archive\` does it now.`
    : `Archive: after ${days} days stopped the reminder offers to archive it; \`rig archive\` does it now.`;
}

/**
 * A new workstation's region, type, disk and idle minutes: flags first; then, on a terminal, a
 * question for each one missing (defaults shown); without one, never a question: the region from
 * the AWS configuration (said on stderr) or an error naming --region, the rest their defaults.
 */
async function chooseMissing(rig: Rig, io: Io, name: string, opts: InitOptions): Promise<Chosen> {
  const configured = opts.region ? null : await rig.account.defaultRegion();
  if (!io.stdinIsTty) {
    // The type's default launches nothing yet; a region is the user's to choose, so it must come from somewhere.
    const instanceType = opts.type ?? DEFAULTS.instanceType;
    if (opts.region) return { instanceType };
    if (!configured) throw noRegion(name, opts.name !== undefined);
    io.stderr.write(`Region ${configured.region} (from ${configured.source}).\n`);
    return { region: validateRegion(configured.region, 'region'), instanceType };
  }
  if (opts.region && opts.type && opts.disk !== undefined && opts.idleMinutes !== undefined) return {};
  const asker = terminalAsker(io);
  try {
    return await askMissing(rig, io, asker, opts, configured);
  } finally {
    asker.close();
  }
}

async function askMissing(rig: Rig, io: Io, asker: Asker, opts: InitOptions, configured: DefaultRegion | null): Promise<Chosen> {
  const out = lineWriter(io.stdout);
  const region = opts.region ?? await asker.ask(
    configured ? `Region (from ${configured.source})` : 'Region, e.g. us-east-1',
    configured?.region ?? '',
    (answer) => validateRegion(answer, 'region'),
  );
  let instanceType = opts.type;
  if (instanceType === undefined) {
    const offers = await launchableOffers(rig, region, opts.spot === true);
    if (offers.length) {
      out(`GPU types in ${region}, cheapest first (types your quota rules out are left out):`);
      for (const line of offerLines(offers)) out(line);
    }
    instanceType = await asker.ask(offers.length ? `Instance type (a number or a type)` : 'Instance type', DEFAULTS.instanceType, (answer) => {
      const picked = /^\d+$/.test(answer) ? offers[Number(answer) - 1] : undefined;
      if (/^\d+$/.test(answer) && !picked) throw new CloudRigError('InvalidInput', `There is no type ${answer} in the list.`,
        { action: 'correct-input', field: 'instanceType', hint: `answer 1 to ${offers.length}, or an instance type such as ${DEFAULTS.instanceType}.` });
      return picked ? picked.instanceType : validateInstanceType(answer, 'instanceType');
    });
  }
  const diskGiB = opts.disk ?? await asker.ask('Root disk in GiB', String(DEFAULTS.diskGiB), (answer) => validateInteger(answer, 'diskGiB', DISK_GIB.min, DISK_GIB.max));
  const idleMinutes = opts.idleMinutes ?? await asker.ask('Stop after this many idle minutes', String(DEFAULTS.idleMinutes),
    (answer) => validateInteger(answer, 'idleMinutes', IDLE_MINUTES.min, IDLE_MINUTES.max));
  return { region, instanceType, diskGiB, idleMinutes };
}

function noRegion(name: string, named: boolean): CloudRigError {
  const command = `rig init${named ? ` --name ${shellQuote(name)}` : ''} --region us-east-1`;
  return new CloudRigError('InvalidInput', 'No region given, and neither AWS_REGION nor your AWS profile names one.',
    { action: 'correct-input', field: 'region', hint: `pass one, e.g. \`${command}\` (or set AWS_REGION).` });
}

/**
 * The account's cheapest GPU types in `region` that its quota does not rule out, when they come
 * quickly: Pricing answers for many types can take a while on a cold cache, and the question is
 * worth asking without the list.
 */
async function launchableOffers(rig: Rig, region: string, spot: boolean): Promise<GpuOffer[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<null>((resolve) => (timer = setTimeout(resolve, OFFERS_WAIT_MS, null)));
  try {
    const list = await Promise.race([rig.account.gpuOffers([region], null).catch(() => null), slow]);
    if (list === null) return [];
    return selectGpuOffers(list.offers, { spot }).filter((offer) => quotaAllows(offer) !== false).slice(0, OFFERS_LISTED);
  } finally {
    clearTimeout(timer);
  }
}

/** The offers as a numbered table: type, GPUs, vCPUs, on-demand price. */
function offerLines(offers: readonly GpuOffer[]): string[] {
  const rows = offers.map((offer, index) => [
    `${index + 1})`,
    offer.instanceType,
    `${offer.gpuModel ?? '?'} ×${offer.gpuCount}${offer.gpuMemoryGiB === null ? '' : ` ${offer.gpuMemoryGiB} GiB`}`,
    `${offer.vcpus} vCPU`,
    offer.onDemand ? formatHourly(offer.onDemand.usd, 'compare') : 'price unknown',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`);
}

/** " (about $0.53/h)" from the price catalog, or nothing when no price is known. */
async function rateText(rig: Rig, spec: { readonly region: string; readonly instanceType: string; readonly spot: boolean }): Promise<string> {
  try {
    const rate = await rig.hourlyRate({ region: spec.region, instanceType: spec.instanceType, spot: spec.spot });
    return rate ? ` (about ${formatHourly(rate.usd)}${rate.market === 'spot' ? ' on spot' : ''})` : '';
  } catch {
    return '';
  }
}

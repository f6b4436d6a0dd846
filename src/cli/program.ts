import packageJson from '../../package.json' with { type: 'json' };
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import confirm from '@inquirer/confirm';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import { ingressWarning } from '../core/ingress.js';
import { shellQuote, sshArgs } from '../core/ssh-command.js';
import { displayedSshCommand } from '../core/ssh-config.js';
import { validateAmiId, validateInteger, validateName } from '../core/validate.js';
import { unknownFieldsWarning } from '../shared/settings.js';
import type { Step } from '../shared/workstation.js';
import { spotInterruptionNotice } from '../core/duplicates.js';
import type { CloudRigCore } from '../core/app/cloudrig-core.js';
import { listImages, removeImage, scanAccount, startWorkstation, stopWorkstation, terminateWorkstation } from '../core/app/lifecycle.js';
import { flag, jsonText, lineWriter, Progress, type Io } from './output.js';
import { cliErrorText } from './fix-wording.js';
import { statusJson, type StatusCost, type StatusExtras } from './status-json.js';
import { stopJson, type DownJson, type SshCommandJson } from './command-json.js';
import { askToTerminate } from './down-question.js';
import { idleStateLines, phaseText, statusCostLines } from './cost-text.js';
import { hoursAndMinutes } from '../core/format.js';
import { reportLeftovers } from './session-end.js';
import { followSetupAfterUp } from './setup-script-option.js';
import { statusOfAll } from './status-command.js';
import type { BilledOnInterrupt } from './billed-on-interrupt.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { archivedLine } from './archive-command.js';

/** Global options every command sees. */
interface GlobalOptions {
  home?: string;
  profile?: string;
  debug?: boolean;
}

/**
 * Loads the core for the global options (home null: the default home); the CLI never loads it before
 * parsing succeeded. Not core/app's CoreFactory: this one resolves the home and imports the composition.
 */
export type CoreLoader = (options: { home: string | null; profile: string | null }) => Promise<CloudRigCore>;


/** Parses a workstation name given as an argument: refused before it reaches any message or command. */
export const workstationName = flag((value: string) => validateName(value, 'NAME'));

/** Extension point for commands defined elsewhere (cost, doctor, snooze). */
export type CommandRegistrar = (program: Command, context: { core: () => Promise<CloudRigCore>; io: Io; progress: () => Progress }) => void;

/** The `rig` program. `remote` is the command after `--` for `rig ssh`. */
export function buildProgram(io: Io, makeCore: CoreLoader, options: {
  remote?: string[]; statusExtras?: StatusExtras; register?: CommandRegistrar[];
  /** What the running command has left billed, told each step (the `rig` executable's Ctrl-C line). */
  billed?: () => BilledOnInterrupt | null;
} = {}): Command {
  const program = new Command('rig')
    .description('Run a personal GPU workstation on your own AWS account.')
    .version(packageJson.version, '-V, --version', 'print rig\'s version')
    .option('--home <dir>', 'CloudRig home (settings, keys); default $CLOUDRIG_HOME or the platform config dir')
    .option('--profile <name>', 'AWS profile from ~/.aws (default: the SDK credential chain)')
    .option('--debug', 'log each AWS call (action, region, status, timing) to stderr; never keys or data (or CLOUDRIG_DEBUG=1)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // A usage error is one line with its fix, like every other error.
      outputError: (text, write) => {
        const line = text.trim().replaceAll('\n', ' ');
        write(`${line}${line.includes(' Fix: ') ? '' : ' Fix: see rig --help (or rig COMMAND --help) for usage.'}\n`);
      },
    })
    .exitOverride();

  // The core (and with it the AWS SDK) loads only when a command needs it: `rig --help` stays fast.
  let core: Promise<CloudRigCore> | null = null;
  const getCore = (): Promise<CloudRigCore> => {
    if (!core) {
      const globals = program.opts<GlobalOptions>();
      if (globals.debug) process.env.CLOUDRIG_DEBUG = '1';
      core = makeCore({ home: globals.home ?? null, profile: globals.profile ?? null });
    }
    return core;
  };
  const out = lineWriter(io.stdout);
  const json = (value: unknown): void => out(jsonText(value, 2));
  const progress = () => new Progress(io);
  /** The bar's steps, also told to what tracks the billed instance for a Ctrl-C. */
  const tracked = (bar: Progress) => (step: Step): void => {
    bar.step(step);
    options.billed?.()?.step(step);
  };

  program
    .command('up')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Start the workstation (launch it if there is no instance); wait until ssh answers.')
    .option('--no-wait-ssh', 'return once the instance runs, without waiting for ssh')
    .option('--timeout <seconds>', 'give up after this long, following the setup script included (default: 900 for the instance and ssh; the setup is then followed until it ends)', flag((v) => validateInteger(v, '--timeout', 1, 24 * 3600)))
    .option('--json', 'print the `rig status --json` object (without the cost fields) at the end, also when the setup script failed; the setup log goes to stderr')
    .action(async (named: string | undefined, opts: { waitSsh: boolean; timeout?: number; json?: boolean }) => {
      const startedAt = Date.now();
      const core = await getCore();
      const name = await workstationFor(core, io, named);
      const bar = progress();
      const snapshot = await startWorkstation(core, name, {
        waitSsh: opts.waitSsh,
        timeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
        onStep: tracked(bar),
      });
      const setupFailed = snapshot.setupFailure ?? null;
      bar.done(`${snapshot.instance?.instanceId} is ${snapshot.phase === 'ready' ? `running and ssh answers${setupFailed ? ', but its setup script failed' : ''}` : 'running'}`);
      if (!opts.json) out(snapshot.sshCommand ?? '(no public address)');
      const followFor = opts.timeout === undefined ? null : Math.max(0, opts.timeout * 1000 - (Date.now() - startedAt));
      // With --json, stdout holds the one object: the setup log is progress, so it goes to stderr.
      const upJson = (): void => {
        if (!opts.json) return;
        const spec = core.service.spec(name);
        json(statusJson(core.service.cached(name) ?? snapshot, { ingressCidr: spec.ingressCidr, ingressWarning: ingressWarning(spec) }));
      };
      try {
        await followSetupAfterUp(core, snapshot, opts.json ? { ...io, stdout: io.stderr } : io, {
          timeoutMs: followFor,
          onFollowing: () => options.billed?.()?.following(),
        });
      } catch (error) {
        // The instance runs (and bills) even when its setup failed: a script still gets its address.
        upJson();
        throw error;
      }
      upJson();
    });

  program
    .command('status')
    .argument('[name]', 'workstation name (without one: every workstation, one line each)', workstationName)
    .description('Show the workstation state (every workstation when there are several and none is named).')
    .option('--json', 'print a JSON object (an array for every workstation)')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const c = await getCore();
      // On stderr, so `--json` stays parseable: the fields are kept, but the user should know they do nothing.
      const unknown = unknownFieldsWarning(c.settings.unknownFields());
      if (unknown) io.stderr.write(`warning: ${unknown}\n`);
      if (name === undefined && await statusOfAll(c, io, { json: opts.json === true, extras: options.statusExtras })) return;
      if (name !== undefined) await workstationFor(c, io, name);
      const described = await c.service.refresh(name, { probeSsh: false });
      // This process asked AWS just now: an error here means the status is unknown, so fail.
      if (described.error) throw new CloudRigError(described.error.code, described.error.message, described.error.fix);
      // The ssh probe and the price lookup are independent: run them together.
      const [snapshot, extra] = await Promise.all([
        c.service.probeReady(described.name),
        options.statusExtras ? options.statusExtras(c, described) : Promise.resolve<StatusCost>({}),
      ]);
      const spec = c.service.spec(described.name);
      const warning = ingressWarning(spec);
      const status = statusJson(snapshot, { ...extra, ingressCidr: spec.ingressCidr, ingressWarning: warning });
      if (opts.json) return json(status);
      out(`${status.name} (${status.instanceType}, ${status.region}): ${phaseText(status.phase)}${status.instanceId ? ` — ${status.instanceId}` : ''}`);
      // What keeps it from being ready that only the user can fix (a broken key, a changed host key).
      if (snapshot.error) out(cliErrorText(snapshot.error));
      if (snapshot.setupFailure) out(`Setup: ${cliErrorText(snapshot.setupFailure)}`);
      const state = snapshot.instance?.state ?? 'absent';
      // Each state says what is true of it: a stopped box bills its disk, not the running rate; with
      // no instance, what a start costs; only a running one has an uptime, an idle stop and ssh.
      if (state === 'running' && status.launchedAt) out(`Up ${hoursAndMinutes(c.clock.now() - Date.parse(status.launchedAt))} (since ${status.launchedAt}).`);
      if (state === 'absent' && spec.archive) out(archivedLine(spec.name, spec.archive));
      if (state === 'stopped' || state === 'absent') {
        for (const line of idleStateLines(state, extra, status.hourlyUsd)) out(line);
      } else {
        for (const line of statusCostLines({ ...extra, hourlyUsd: status.hourlyUsd }, state === 'running')) out(line);
        if (typeof extra.idleStopMinutes === 'number') out(`Stops itself after ${extra.idleStopMinutes} idle minutes.`);
      }
      if (status.spotInterrupted) {
        const notice = spotInterruptionNotice(status.name);
        out(`${notice.title}. ${notice.body}`);
      }
      if (status.duplicates.length && status.error) {
        out(`error: ${status.error.message}`);
        for (const d of status.duplicates) {
          out(`  ${d.instanceId}  ${d.state.padEnd(8)} ${d.instanceType}${d.spot ? ' spot' : ''}  ${typeof d.hourlyUsd === 'number' ? formatHourly(d.hourlyUsd, 'compare') : 'rate unknown'}  launched ${d.launchedAt ?? '?'}`);
        }
        out(`Fix: ${status.error.fix}`);
      }
      if (warning) out(`Warning: ${warning} Narrow it with: rig init --name ${shellQuote(status.name)} --cidr auto`);
      if (status.sshCommand && state === 'running') out(status.sshCommand);
    });

  program
    .command('ssh-command')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Print the ssh command for the running workstation.')
    .option('--json', 'print { name, command }')
    .action(async (named: string | undefined, opts: { json?: boolean }) => {
      const c = await getCore();
      const name = await workstationFor(c, io, named);
      const target = await c.service.sshTarget(name);
      const command = displayedSshCommand(c.service.spec(name).name, target, c.settings.read().sshConfigInstalled);
      if (opts.json) return json({ name: c.service.spec(name).name, command } satisfies SshCommandJson);
      out(command);
    });

  program
    .command('ssh')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Open ssh to the workstation; `rig ssh [name] -- CMD…` runs CMD in the remote shell as `ssh host CMD…` does (words joined with spaces; pipes, &&, ~ and $VAR work there; the exit code passes through).')
    .action(async (named: string | undefined) => {
      const c = await getCore();
      const { service } = c;
      // Chosen once, before anything else: an unknown or ambiguous name is one error, said once.
      const name = await workstationFor(c, io, named);
      // The laptop may have moved since the last `rig up`: re-admit its address first.
      const drift = await service.followAddressDrift(name).catch((error: unknown) => ({ changed: true, message: `Could not check the security group: ${toErrorInfo(error).message}` }));
      const target = await service.sshTarget(name);
      // Said once ssh can go ahead: when AWS fails, the one error line says so, not a warning before it too.
      if (drift.changed) io.stderr.write(`${drift.message}\n`);
      const code = await new Promise<number>((resolve, reject) => {
        // As `ssh host cmd…`: the words become one command line for the remote shell, given to ssh as
        // one argument after `--` (never an ssh option, never seen by a local shell: no shell here).
        const remote = options.remote ?? [];
        const child = spawn('ssh', sshArgs(target, remote.length ? [remote.join(' ')] : []), { stdio: 'inherit' });
        child.on('error', (error) => reject(new CloudRigError('NoSsh', `Could not run ssh: ${error.message}.`, 'Install an OpenSSH client (ssh) and make sure it is on PATH.')));
        child.on('close', (c) => resolve(c ?? 255));
      });
      process.exitCode = code;
    });

  program
    .command('stop')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Stop the instance (disk kept, compute billing ends); returns once stopped.')
    .option('--json', 'print { name, instanceId, state } once stopped')
    .action(async (named: string | undefined, opts: { json?: boolean }) => {
      const c = await getCore();
      const name = await workstationFor(c, io, named);
      const bar = progress();
      const snapshot = await stopWorkstation(c, name, { onStep: bar.step });
      bar.done(`${snapshot.instance?.instanceId} is stopped`);
      if (opts.json) json(stopJson(snapshot));
    });

  program
    .command('down')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Terminate the instance (its disk is deleted); on a terminal, offers to save an image first.')
    .option('--save-image', 'save an image first and wait until it is available')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print { name, instanceId, terminated, imageId } at the end (terminated false when the question was declined)')
    .action(async (named: string | undefined, opts: { saveImage?: boolean; yes?: boolean; json?: boolean }) => {
      const c = await getCore();
      const spec = c.service.spec(await workstationFor(c, io, named, {
        unasked: opts.yes ? (name) => `rig down ${name}${opts.saveImage ? ' --save-image' : ''} --yes` : undefined,
      }));
      // With --json, stdout holds the one object: the questions and the closing lines go to stderr.
      const say = opts.json ? lineWriter(io.stderr) : out;
      let saveImage = Boolean(opts.saveImage);
      if (!opts.yes) {
        if (!io.stdinIsTty) {
          throw new CloudRigError('NeedsConfirmation', `Refusing to terminate ${spec.name} without confirmation (no terminal to ask on).`, { action: 'confirm' });
        }
        const answer = await askToTerminate(spec.name, saveImage, opts.json ? { output: io.stderr } : undefined);
        if (answer === 'cancel') {
          say('Nothing was terminated.');
          if (opts.json) {
            const instanceId = (await c.service.refresh(spec.name, { probeSsh: false })).instance?.instanceId ?? null;
            json({ name: spec.name, instanceId, terminated: false, imageId: null } satisfies DownJson);
          }
          return;
        }
        saveImage = answer === 'save-image';
      }
      const bar = progress();
      // The snapshot after a terminate has no instance: the steps name the one terminated.
      let instanceId: string | null = null;
      const result = await terminateWorkstation(c, spec.name, {
        saveImage,
        onStep: (step) => {
          if (step.instanceId) instanceId = step.instanceId;
          tracked(bar)(step);
        },
      });
      bar.done('terminated');
      if (result.imageId) say(`Saved image: ${result.imageId}`);
      say(`Workstation ${spec.name} is terminated.`);
      await reportLeftovers(() => scanAccount(c), say);
      if (opts.json) json({ name: spec.name, instanceId, terminated: true, imageId: result.imageId } satisfies DownJson);
    });

  const images = program.command('images').description('List or delete images saved from a workstation.');
  images
    .command('list', { isDefault: true })
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .option('--json', 'print a JSON array')
    .action(async (named: string | undefined, opts: { json?: boolean }) => {
      const c = await getCore();
      const list = await listImages(c, await workstationFor(c, io, named));
      if (opts.json) return json(list);
      if (!list.length) return out('No saved images.');
      for (const image of list) out(`${image.imageId}  ${image.state.padEnd(9)}  ${image.sizeGiB} GiB  ${image.createdAt ?? ''}  ${image.name}`);
    });
  images
    .command('rm')
    .argument('<imageId>', 'image to deregister (its snapshots are deleted too)', flag((v) => validateAmiId(v, 'IMAGE_ID')))
    .option('--name <name>', 'workstation the image belongs to', flag(validateName))
    .option('--yes', 'do not ask for confirmation')
    .action(async (imageId: string, opts: { name?: string; yes?: boolean }) => {
      if (!opts.yes) {
        if (!io.stdinIsTty) throw new CloudRigError('NeedsConfirmation', `Refusing to delete ${imageId} without confirmation (no terminal to ask on).`, { action: 'confirm' });
        if (!(await confirm({ message: `Delete image ${imageId} and its snapshots?`, default: false }))) return out('Nothing was deleted.');
      }
      const c = await getCore();
      await removeImage(c, await workstationFor(c, io, opts.name), imageId);
      out(`Deleted ${imageId} and its snapshots.`);
    });

  for (const register of options.register ?? []) register(program, { core: getCore, io, progress });
  return program;
}

import packageJson from '../../package.json' with { type: 'json' };
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { unknownFieldsWarning } from '../shared/settings-warning.js';
import type { Step } from '../shared/workstation.js';
import { CloudRigError, displayedSshCommand, hoursAndMinutes, ingressWarning, type Rig, shellQuote, spotInterruptionNotice, sshArgs, validateAmiId, validateInteger, validateName } from '../core/app/face.js';
import { flag, jsonText, lineWriter, Progress, useColor, type Io } from './output.js';
import { cliErrorText } from './fix-wording.js';
import { statusJson, type StatusCost, type StatusExtras } from './status-json.js';
import { stopJson, type DownJson, type SshCommandJson } from './command-json.js';
import { askToTerminate } from './down-question.js';
import { confirmOrRefuse, questionContext, refuseWithoutTerminal } from './prompt.js';
import { idleStateLines, phaseText, statusCostLines } from './cost-text.js';
import { keepUpJson, keepUpLine } from './keep-up-text.js';
import { reportLeftovers } from './session-end.js';
import { followSetupAfterUp } from './setup-script-option.js';
import { statusOfAll } from './status-command.js';
import type { BilledOnInterrupt } from './billed-on-interrupt.js';
import { ExitStatus } from './exit-status.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { archivedLine } from './archive-text.js';

/** Global options every command sees. */
interface GlobalOptions {
  home?: string;
  profile?: string;
  debug?: boolean;
}

/**
 * Loads the use cases for the global options (home null: the default home); the CLI never loads them
 * before parsing succeeded. The loader resolves the home and imports the composition.
 */
export type RigLoader = (options: { home: string | null; profile: string | null; debug: boolean }) => Promise<Rig>;


/** Parses a workstation name given as an argument: refused before it reaches any message or command. */
export const workstationName = flag((value: string) => validateName(value, 'nameArgument'));

/** Extension point for commands defined elsewhere (cost, doctor, snooze). */
export type CommandRegistrar = (program: Command, context: {
  rig: () => Promise<Rig>; io: Io; progress: () => Progress; exit: ExitStatus;
  /** A bar's step callback that also tells what tracks the billed instance for a Ctrl-C. */
  tracked: (bar: Progress) => (step: Step) => void;
  /** What tracks the billed instance for a Ctrl-C, when the `rig` executable runs the command. */
  billed: () => BilledOnInterrupt | null;
}) => void;

/** The `rig` program. `remote` is the command after `--` for `rig ssh`. */
export function buildProgram(io: Io, makeRig: RigLoader, options: {
  remote?: string[]; statusExtras?: StatusExtras; register?: CommandRegistrar[];
  /** Where a command that does not fail leaves its exit code (runRig returns it). */
  exit?: ExitStatus;
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
      // Rig's own colour decision for its streams and environment, not commander's reading of process.env.
      getOutHasColors: () => useColor(io.stdout, io.env),
      getErrHasColors: () => useColor(io.stderr, io.env),
      // A usage error is one line with its fix, like every other error.
      outputError: (text, write) => {
        const line = text.trim().replaceAll('\n', ' ');
        write(`${line}${line.includes(' Fix: ') ? '' : ' Fix: see rig --help (or rig COMMAND --help) for usage.'}\n`);
      },
    })
    .exitOverride();

  // The use cases (and with them the AWS SDK) load only when a command needs them: `rig --help` stays fast.
  let loaded: Promise<Rig> | null = null;
  const getRig = (): Promise<Rig> => {
    if (!loaded) {
      const globals = program.opts<GlobalOptions>();
      loaded = makeRig({ home: globals.home ?? null, profile: globals.profile ?? null, debug: globals.debug === true });
    }
    return loaded;
  };
  const exit = options.exit ?? new ExitStatus();
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
    .option('--timeout <seconds>', 'give up after this long, following the setup script included (default: 900 for the instance and ssh; the setup is then followed until it ends)', flag((v) => validateInteger(v, 'timeout', 1, 24 * 3600)))
    .option('--json', 'print the `rig status --json` object (without the cost fields) at the end, also when the setup script failed; the setup log goes to stderr')
    .action(async (named: string | undefined, opts: { waitSsh: boolean; timeout?: number; json?: boolean }) => {
      const startedAt = Date.now();
      const rig = await getRig();
      const name = await workstationFor(rig, io, named);
      const bar = progress();
      const snapshot = await rig.up(name, {
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
        const spec = rig.spec(name);
        json(statusJson(rig.cached(name) ?? snapshot, { ingressCidr: spec.ingressCidr, ingressWarning: ingressWarning(spec) }));
      };
      try {
        await followSetupAfterUp(rig, snapshot, opts.json ? { ...io, stdout: io.stderr } : io, {
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
      const c = await getRig();
      // On stderr, so `--json` stays parseable: the fields are kept, but the user should know they do nothing.
      const unknown = unknownFieldsWarning(c.unknownSettingsFields());
      if (unknown) io.stderr.write(`warning: ${unknown}\n`);
      if (name === undefined && await statusOfAll(c, io, { json: opts.json === true, extras: options.statusExtras })) return;
      if (name !== undefined) await workstationFor(c, io, name);
      const described = await c.refresh(name, { probeSsh: false });
      // This process asked AWS just now: an error here means the status is unknown, so fail.
      if (described.error) throw new CloudRigError(described.error.code, described.error.message, described.error.fix);
      // The ssh probe and the price lookup are independent: run them together.
      const [{ snapshot, watchdog }, extra] = await Promise.all([
        c.probeReady(described.name).then(async (ready) => ({ snapshot: ready, watchdog: await c.watchdog(ready) })),
        options.statusExtras ? options.statusExtras(c, described) : Promise.resolve<StatusCost>({}),
      ]);
      const spec = c.spec(described.name);
      const warning = ingressWarning(spec);
      const status = { ...statusJson(snapshot, { ...extra, ingressCidr: spec.ingressCidr, ingressWarning: warning, archive: spec.archive ?? null }), ...keepUpJson(watchdog, c.clock.now()) };
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
        const keepUp = state === 'running' ? keepUpLine(watchdog, c.clock.now()) : null;
        if (keepUp !== null) out(keepUp);
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
      const c = await getRig();
      const name = await workstationFor(c, io, named);
      const target = await c.connect.sshTarget(name);
      const command = displayedSshCommand(c.spec(name).name, target, c.sshConfigInstalled());
      if (opts.json) return json({ name: c.spec(name).name, command } satisfies SshCommandJson);
      out(command);
    });

  program
    .command('ssh')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Open ssh to the workstation; `rig ssh [name] -- CMD…` runs CMD in the remote shell as `ssh host CMD…` does (words joined with spaces; pipes, &&, ~ and $VAR work there; the exit code passes through).')
    .action(async (named: string | undefined) => {
      const c = await getRig();
      // Chosen once, before anything else: an unknown or ambiguous name is one error, said once.
      const name = await workstationFor(c, io, named);
      // The laptop may have moved since the last `rig up`: the shell opens after its address is re-admitted.
      const { target, drift } = await c.connect.openShell(name);
      // Said once ssh can go ahead: when AWS fails, the one error line says so, not a warning before it too.
      if (drift.changed) io.stderr.write(`${drift.message}\n`);
      const code = await new Promise<number>((resolve, reject) => {
        // As `ssh host cmd…`: the words become one command line for the remote shell, given to ssh as
        // one argument after `--` (never an ssh option, never seen by a local shell: no shell here).
        const remote = options.remote ?? [];
        const child = spawn('ssh', sshArgs(target, remote.length ? [remote.join(' ')] : []), { stdio: 'inherit', env: io.env });
        child.on('error', (error) => reject(new CloudRigError('NoSsh', `Could not run ssh: ${error.message}.`, { action: 'install-ssh-client' })));
        child.on('close', (c) => resolve(c ?? 255));
      });
      exit.set(code);
    });

  program
    .command('stop')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Stop the instance (disk kept, compute billing ends); returns once stopped.')
    .option('--json', 'print { name, instanceId, state } once stopped')
    .action(async (named: string | undefined, opts: { json?: boolean }) => {
      const c = await getRig();
      const name = await workstationFor(c, io, named);
      const bar = progress();
      const snapshot = await c.stop(name, { onStep: bar.step });
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
      const c = await getRig();
      const spec = c.spec(await workstationFor(c, io, named, {
        unasked: opts.yes ? (name) => `rig down ${name}${opts.saveImage ? ' --save-image' : ''} --yes` : undefined,
      }));
      // With --json, stdout holds the one object: the questions and the closing lines go to stderr.
      const say = opts.json ? lineWriter(io.stderr) : out;
      let saveImage = Boolean(opts.saveImage);
      if (!opts.yes) {
        refuseWithoutTerminal(io, { refusal: `Refusing to terminate ${spec.name} without confirmation (no terminal to ask on).` });
        const answer = await askToTerminate(spec.name, saveImage, questionContext(io, opts.json));
        if (answer === 'cancel') {
          say('Nothing was terminated.');
          if (opts.json) {
            const instanceId = (await c.refresh(spec.name, { probeSsh: false })).instance?.instanceId ?? null;
            json({ name: spec.name, instanceId, terminated: false, imageId: null } satisfies DownJson);
          }
          return;
        }
        saveImage = answer === 'save-image';
      }
      const bar = progress();
      // The snapshot after a terminate has no instance: the steps name the one terminated.
      let instanceId: string | null = null;
      const result = await c.down(spec.name, {
        saveImage,
        onStep: (step) => {
          if (step.instanceId) instanceId = step.instanceId;
          tracked(bar)(step);
        },
      });
      bar.done('terminated');
      if (result.imageId) say(`Saved image: ${result.imageId}`);
      say(`Workstation ${spec.name} is terminated.`);
      await reportLeftovers(() => c.scanInstances(), say);
      if (opts.json) json({ name: spec.name, instanceId, terminated: true, imageId: result.imageId } satisfies DownJson);
    });

  const images = program.command('images').description('List or delete images saved from a workstation.');
  images
    .command('list', { isDefault: true })
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .option('--json', 'print a JSON array')
    .action(async (named: string | undefined, opts: { json?: boolean }) => {
      const c = await getRig();
      const list = await c.images(await workstationFor(c, io, named));
      if (opts.json) return json(list);
      if (!list.length) return out('No saved images.');
      for (const image of list) out(`${image.imageId}  ${image.state.padEnd(9)}  ${image.sizeGiB} GiB  ${image.createdAt ?? ''}  ${image.name}`);
    });
  images
    .command('rm')
    .argument('<imageId>', 'image to deregister (its snapshots are deleted too)', flag((v) => validateAmiId(v, 'imageIdArgument')))
    .option('--name <name>', 'workstation the image belongs to', flag(validateName))
    .option('--yes', 'do not ask for confirmation')
    .action(async (imageId: string, opts: { name?: string; yes?: boolean }) => {
      const go = await confirmOrRefuse(io, {
        yes: opts.yes,
        refusal: `Refusing to delete ${imageId} without confirmation (no terminal to ask on).`,
        message: `Delete image ${imageId} and its snapshots?`, default: false,
      });
      if (!go) return out('Nothing was deleted.');
      const c = await getRig();
      await c.removeImage(await workstationFor(c, io, opts.name), imageId);
      out(`Deleted ${imageId} and its snapshots.`);
    });

  for (const register of options.register ?? []) register(program, { rig: getRig, io, progress, exit, tracked, billed: () => options.billed?.() ?? null });
  return program;
}

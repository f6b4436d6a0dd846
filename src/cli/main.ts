import { CommanderError, Help } from 'commander';
import { buildProgram, type CommandRegistrar } from './program.js';
import type { StatusExtras } from './status-json.js';
import { errorLine, Progress, type Io } from './output.js';
import { registerDoctor } from './doctor-command.js';
import { registerInitCommand } from './init-command.js';
import { costStatusExtras, registerCostCommands } from './cost-commands.js';
import { registerGpusCommand } from './gpus-command.js';
import { registerSshConfig } from './ssh-config-command.js';
import { registerCode } from './code-command.js';
import { registerTunnelCommands } from './tunnel-command.js';
import { registerFileCommands } from './files-command.js';
import { registerStatsCommand } from './stats-command.js';
import { registerRemoveCommand } from './remove-command.js';
import { WHICH_WORKSTATION_HELP } from './workstation-argument.js';
import { registerExportCommand } from './export-command.js';
import { registerScanCommands } from './scan-command.js';
import { registerResizeCommand } from './resize-command.js';
import { registerArchiveCommand } from './archive-command.js';
import { type ChangeCommand, isChangeCommand, Rig, type SshClient } from '../core/app/face.js';
import { BilledOnInterrupt } from './billed-on-interrupt.js';
import { ExitStatus } from './exit-status.js';

/** Splits `rig ssh [name] -- cmd…` so the remote command never reaches the option parser. */
export function splitRemote(argv: readonly string[]): { args: string[]; remote: string[] } {
  const dash = argv.indexOf('--');
  if (dash < 0 || !argv.slice(0, dash).includes('ssh')) return { args: [...argv], remote: [] };
  return { args: argv.slice(0, dash), remote: argv.slice(dash + 1) };
}

/**
 * Tells a running app what a command changes, as it changes it: each new phase the command sees
 * while it works (the app then follows the transition itself), and once more when it returns.
 */
class ChangeAnnouncer {
  private command: ChangeCommand | null = null;
  private rig: Rig | null = null;
  private workstation: string | null = null;
  private lastPhase: string | null = null;
  private writes: Promise<void> = Promise.resolve();

  /** The command commander is about to run. */
  started(name: string): void {
    this.command = isChangeCommand(name) ? name : null;
  }

  /** The use cases the command loaded: follow their snapshots when the command changes state. */
  attach(rig: Rig): void {
    if (this.command === null) return;
    this.rig = rig;
    rig.onDidChange((snapshot) => {
      this.workstation = snapshot.name;
      if (snapshot.phase === this.lastPhase) return;
      this.lastPhase = snapshot.phase;
      this.send('running');
    });
  }

  /**
   * The command returned, or failed: what it did before failing is a change too, but a command
   * that failed before it saw any state (bad input, no workstation) changed nothing to announce.
   */
  async finished(succeeded: boolean): Promise<void> {
    if (this.rig === null || (!succeeded && this.lastPhase === null)) return;
    this.send('done');
    await this.writes;
  }

  private send(stage: 'running' | 'done'): void {
    const { rig, command } = this;
    if (!rig || !command) return;
    const workstation = this.workstation;
    this.writes = this.writes.then(() => rig.announce({ command, workstation, stage }));
  }
}

/** How long a Ctrl-C waits for AWS to name the instance of a launch whose answer never came. */
const LOOKUP_ON_INTERRUPT_MS = 3_000;

/**
 * Ctrl-C (or SIGTERM) during `rig up`, `rig down` or `rig archive`: one line on stderr saying what is left billed
 * (the instance, its rate, the command that ends it), then exit 130 (143 for SIGTERM). Only the
 * `rig` executable installs it (runRig in a test's process must not take the test runner's
 * signals); other commands keep their own handling (watches, tunnels end cleanly on Ctrl-C).
 */
class InterruptLine {
  private tracker: BilledOnInterrupt | null = null;
  private rig: Rig | null = null;
  private handling = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => void this.interrupted(signal);

  constructor(private readonly io: Io) {}

  /** The command commander is about to run: up, down and archive get a tracker and the signal handlers. */
  started(name: string): void {
    if (name !== 'up' && name !== 'down' && name !== 'archive') return;
    this.tracker = new BilledOnInterrupt(name, (workstation) => {
      try {
        return this.rig?.spec(workstation).spot ?? false;
      } catch {
        return false;
      }
    });
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** The use cases the command loaded: their snapshots feed the tracker. */
  attach(rig: Rig): void {
    this.rig = rig;
    rig.onDidChange((snapshot) => this.tracker?.snapshot(snapshot));
  }

  /** The tracker of the running command, for its steps; null when the command cannot leave anything billed. */
  billed(): BilledOnInterrupt | null {
    return this.tracker;
  }

  finished(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private async interrupted(signal: NodeJS.Signals): Promise<void> {
    // The settings library's exit hook raises the signal once more after its cleanup: one line only.
    if (this.handling) return;
    this.handling = true;
    Progress.failAll(this.io);
    const tracker = this.tracker;
    const rig = this.rig;
    const name = tracker?.name();
    if (tracker?.needsLookup() && rig && name) {
      // The launch was sent but its answer never came: ask AWS once (bounded) which instance it made.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        rig.refresh(name, { probeSsh: false, force: true }).catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, LOOKUP_ON_INTERRUPT_MS))),
      ]);
      clearTimeout(timer);
    }
    const line = tracker?.line();
    if (line) this.io.stderr.write(`${line}\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  }
}

/** What `rig --help` ends with: examples, the environment it reads, and shell completion. */
const HELP_AFTER = `
Examples:
  rig init --region us-east-1 --type g4dn.xlarge   save a workstation (key pair, security group)
  rig up && ssh gpu                                start it and log in
  rig push ./project && rig ssh -- 'cd project && make'
  rig status --json                                the state, for scripts
  rig down --save-image                            keep the disk as an image, stop paying for it

Environment:
  AWS_PROFILE, AWS_REGION, AWS_* credentials   read by the AWS SDK (as the AWS CLI does)
  CLOUDRIG_HOME                                settings, keys and state (default: the platform config dir)
  CLOUDRIG_SSH_CONFIG                          the ssh config \`rig ssh-config --install\` edits (default ~/.ssh/config)
  CLOUDRIG_MYIP_URL                            where --cidr auto asks for your public IP
  CLOUDRIG_DEBUG=1                             the same as --debug
  NO_COLOR / FORCE_COLOR                       colour off / on

Shell completion: eval "$(rig complete bash)" (or zsh, fish, powershell); see the README.`;

/**
 * Runs `rig` with the given arguments (without node and script) and returns the exit code. Everything
 * it takes from its process comes in `io` (streams, the environment), and the code is returned, never
 * left in `process.exitCode`: two runs may share a process.
 */
export async function runRig(
  argv: readonly string[],
  io: Io,
  extensions: { statusExtras?: StatusExtras; register?: CommandRegistrar[]; ssh?: SshClient; interrupts?: boolean } = {},
): Promise<number> {
  const { args, remote } = splitRemote(argv);
  const changes = new ChangeAnnouncer();
  const interrupts = extensions.interrupts ? new InterruptLine(io) : null;
  const exit = new ExitStatus();
  const program = buildProgram(io, async ({ home, profile, debug }) => {
    // The composition root: the only place `rig` reaches src/adapters (loaded on first use, so `rig --help` stays fast).
    const compose = await import('../adapters/compose.js');
    // --debug is CLOUDRIG_DEBUG=1 for this run: the composition reads it from the environment it is given.
    const env = debug ? { ...io.env, CLOUDRIG_DEBUG: '1' } : io.env;
    if (env.CLOUDRIG_DEBUG === '1' || env.CLOUDRIG_DEBUG === 'true') compose.watchHttpForDebug();
    const rig = new Rig(compose.createCore({ home: home ?? compose.resolveHome(env), profile, ssh: extensions.ssh, env }));
    changes.attach(rig);
    interrupts?.attach(rig);
    return rig;
  }, {
    remote,
    exit,
    billed: () => interrupts?.billed() ?? null,
    statusExtras: extensions.statusExtras ?? costStatusExtras,
    register: [registerInitCommand, registerDoctor, registerCostCommands, registerGpusCommand, registerSshConfig, registerCode,
      registerTunnelCommands, registerFileCommands, registerStatsCommand, registerExportCommand, registerRemoveCommand, registerScanCommands,
      registerResizeCommand, registerArchiveCommand, ...(extensions.register ?? [])],
  });
  // Shell completion (`rig complete bash|zsh|fish|powershell` prints the script; the script calls
  // `rig complete -- WORDS…`): loaded only for those calls, so every other command starts as fast.
  if (args[0] === 'complete') {
    const { default: completion } = await import('@bomb.sh/tab/commander');
    completion(program);
  }
  program.addHelpText('after', `${WHICH_WORKSTATION_HELP}${HELP_AFTER}`);
  // `rig init` is registered with the commands defined in their own files, but it is the first a new
  // user runs: it heads the list.
  program.configureHelp({
    visibleCommands(command) {
      const listed = Help.prototype.visibleCommands.call(this, command);
      return command === program ? [...listed.filter((c) => c.name() === 'init'), ...listed.filter((c) => c.name() !== 'init')] : listed;
    },
  });
  program.hook('preAction', (_program, command) => {
    changes.started(command.name());
    interrupts?.started(command.name());
  });
  let succeeded = false;
  try {
    await program.parseAsync(args, { from: 'user' });
    succeeded = true;
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (help, version, or the bad flag with its fix).
      return error.exitCode === 0 ? 0 : 2;
    }
    Progress.failAll(io);
    io.stderr.write(`${errorLine(error)}\n`);
    return 1;
  } finally {
    interrupts?.finished();
    await changes.finished(succeeded);
  }
}

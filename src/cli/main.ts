import { CommanderError } from 'commander';
import { buildProgram, type CommandRegistrar, type StatusExtras } from './program.js';
import { errorLine, Progress, type Io } from './output.js';
import { registerDoctor } from './doctor-command.js';
import { costStatusExtras, registerCostCommands } from './cost-commands.js';
import { registerGpusCommand } from './gpus-command.js';
import { registerSshConfig } from './ssh-config-command.js';
import { registerCode } from './code-command.js';
import { registerTunnelCommands } from './tunnel-command.js';
import { registerFileCommands } from './files-command.js';
import { registerStatsCommand } from './stats-command.js';
import type { CloudRigCore } from '../core/app/cloudrig-core.js';
import type { SshClient } from '../core/ports.js';
import { isChangeCommand, type ChangeCommand } from '../core/home-changes.js';

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
  private core: CloudRigCore | null = null;
  private workstation: string | null = null;
  private lastPhase: string | null = null;
  private writes: Promise<void> = Promise.resolve();

  /** The command commander is about to run. */
  started(name: string): void {
    this.command = isChangeCommand(name) ? name : null;
  }

  /** The core the command built: follow its snapshots when the command changes state. */
  attach(core: CloudRigCore): void {
    if (this.command === null) return;
    this.core = core;
    core.service.onDidChange((snapshot) => {
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
    if (this.core === null || (!succeeded && this.lastPhase === null)) return;
    this.send('done');
    await this.writes;
  }

  private send(stage: 'running' | 'done'): void {
    const { core, command } = this;
    if (!core || !command) return;
    const workstation = this.workstation;
    this.writes = this.writes.then(() => core.changes.announce({ command, workstation, stage }));
  }
}

/** Runs `rig` with the given arguments (without node and script) and returns the exit code. */
export async function runRig(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, stdinIsTty: Boolean(process.stdin.isTTY) },
  extensions: { statusExtras?: StatusExtras; register?: CommandRegistrar[]; ssh?: SshClient } = {},
): Promise<number> {
  const { args, remote } = splitRemote(argv);
  const changes = new ChangeAnnouncer();
  const program = buildProgram(io, async ({ home, profile }) => {
    // The composition root: the only place `rig` reaches src/adapters (loaded on first use, so `rig --help` stays fast).
    const compose = await import('../adapters/compose.js');
    if (process.env.CLOUDRIG_DEBUG === '1' || process.env.CLOUDRIG_DEBUG === 'true') compose.watchHttpForDebug();
    const core = compose.createCore({ home: home ?? compose.resolveHome(), profile, ssh: extensions.ssh });
    changes.attach(core);
    return core;
  }, {
    remote,
    statusExtras: extensions.statusExtras ?? costStatusExtras,
    register: [registerDoctor, registerCostCommands, registerGpusCommand, registerSshConfig, registerCode,
      registerTunnelCommands, registerFileCommands, registerStatsCommand, ...(extensions.register ?? [])],
  });
  program.hook('preAction', (_program, command) => changes.started(command.name()));
  let succeeded = false;
  try {
    await program.parseAsync(args, { from: 'user' });
    succeeded = true;
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (help, version, or the bad flag with its fix).
      return error.exitCode === 0 ? 0 : 2;
    }
    Progress.failAll();
    io.stderr.write(`${errorLine(error)}\n`);
    return 1;
  } finally {
    await changes.finished(succeeded);
  }
}

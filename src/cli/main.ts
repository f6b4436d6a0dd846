import { CommanderError } from 'commander';
import { buildProgram, type CommandRegistrar, type StatusExtras } from './program.js';
import { errorLine, Progress, type Io } from './output.js';
import { registerDoctor } from './doctor-command.js';
import { costStatusExtras, registerCostCommands } from './cost-commands.js';

/** Splits `rig ssh [name] -- cmd…` so the remote command never reaches the option parser. */
export function splitRemote(argv: readonly string[]): { args: string[]; remote: string[] } {
  const dash = argv.indexOf('--');
  if (dash < 0 || !argv.slice(0, dash).includes('ssh')) return { args: [...argv], remote: [] };
  return { args: argv.slice(0, dash), remote: argv.slice(dash + 1) };
}

/** Runs `rig` with the given arguments (without node and script) and returns the exit code. */
export async function runRig(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, stdinIsTty: Boolean(process.stdin.isTTY) },
  extensions: { statusExtras?: StatusExtras; register?: CommandRegistrar[] } = {},
): Promise<number> {
  const { args, remote } = splitRemote(argv);
  const program = buildProgram(io, async ({ home, profile }) => {
    if (process.env.CLOUDRIG_DEBUG === '1' || process.env.CLOUDRIG_DEBUG === 'true') (await import('../adapters/aws/debug-log.js')).watchHttpForDebug();
    return (await import('../adapters/compose.js')).createCore({ home, profile });
  }, {
    remote,
    statusExtras: extensions.statusExtras ?? costStatusExtras,
    register: [registerDoctor, registerCostCommands, ...(extensions.register ?? [])],
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (help, version, or the bad flag with its fix).
      return error.exitCode === 0 ? 0 : 2;
    }
    Progress.failAll();
    io.stderr.write(`${errorLine(error)}\n`);
    return 1;
  }
}

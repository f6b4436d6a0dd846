import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { seconds, summary, type Row } from './report.js';
import type { Samples } from './samples.js';
import { REGION, WORKSTATION, type BenchWorld } from './world.js';

const TARGET = '≤ 0.5× the AWS CLI';

/** A Node runtime `rig` is timed on. */
interface Runtime {
  readonly path: string;
  readonly version: string;
}

/** What the machine's own Node is, beside the one running the bench. */
type MachineNode = { readonly kind: 'other'; readonly runtime: Runtime } | { readonly kind: 'same' | 'absent'; readonly note: string };

/** One runtime's samples of `rig status`, `rig --help` and a bare start. */
interface Timings {
  readonly status: number[];
  readonly help: number[];
  readonly bare: number[];
}

/**
 * DESIGN.md's target: `rig status` cold start ≤ 0.5× the AWS CLI. Wall time of whole processes,
 * spawn to exit, run in turns (after untimed warm-ups): `rig status --json` from the built CLI,
 * with the workstation running and ssh answering (so rig also does its ssh probe), against `aws ec2
 * describe-instances` for the same workstation's tag through the same proxy. `rig` runs on the Node
 * running the bench (Node 24 through scripts/use-node.sh: the judged row) and, for comparison, on
 * the machine's own Node when that is another version.
 */
export async function measureColdStart(world: BenchWorld, root: string, samples: Samples): Promise<Row[]> {
  const env = { ...world.rig.env, CLOUDRIG_HOME: world.rig.home };
  const rigJs = join(root, 'bin', 'rig.js');
  const project: Runtime = { path: process.execPath, version: process.version };
  const machine = await findMachineNode(root);
  const runtimes = machine.kind === 'other' ? [project, machine.runtime] : [project];
  const status = (node: Runtime): Promise<number> => run(node.path, [rigJs, 'status', '--json'], env);
  const aws = (): Promise<number> => run('aws', ['ec2', 'describe-instances', '--endpoint-url', world.rig.cloud.endpoint, '--region', REGION,
    '--filters', `Name=tag:cloudrig:workstation,Values=${WORKSTATION}`, '--output', 'json'], env);
  for (let i = 0; i < samples.warmUps; i++) {
    for (const node of runtimes) await status(node);
    await aws();
  }
  const timings = new Map<Runtime, Timings>(runtimes.map((node) => [node, { status: [], help: [], bare: [] }]));
  const awsMs: number[] = [];
  for (let i = 0; i < samples.cliRuns; i++) {
    for (const node of runtimes) timings.get(node)?.status.push(await status(node));
    awsMs.push(await aws());
  }
  // Diagnostic: what loading the CLI alone costs (no AWS call, no ssh), and a bare node start.
  for (let i = 0; i < samples.cliDiagnosticRuns; i++) {
    for (const node of runtimes) {
      timings.get(node)?.help.push(await run(node.path, [rigJs, '--help'], env));
      timings.get(node)?.bare.push(await run(node.path, ['-e', '0'], env));
    }
  }
  const a = summary(awsMs);
  const row = (node: Runtime, measure: string, target: string, judged: boolean): Row => {
    const t = timings.get(node) ?? { status: [], help: [], bare: [] };
    const r = summary(t.status);
    const load = summary(t.help);
    const bare = summary(t.bare);
    const ratio = r.median / a.median;
    return {
      item: 5,
      measure: `${measure}, \`rig status\` vs \`aws ec2 describe-instances\` (median of ${samples.cliRuns})`,
      result: `${seconds(r.median)} vs ${seconds(a.median)} = ${ratio.toFixed(2)}× (\`rig --help\` ${seconds(load.median)}, bare node ${seconds(bare.median)})`,
      target,
      pass: judged ? ratio <= 0.5 : null,
      data: { node: node.version, nodePath: node.path, rigMs: r, awsMs: a, ratio, rigSamples: t.status, awsSamples: awsMs, rigHelpMs: load, bareNodeMs: bare },
    };
  };
  const rows = [row(project, `CLI cold start on Node ${project.version}`, TARGET, true)];
  const comparison = 'none (comparison with the row above)';
  if (machine.kind === 'other') rows.push(row(machine.runtime, `CLI cold start on the machine's Node ${machine.runtime.version} (${machine.runtime.path})`, comparison, false));
  else rows.push({ item: 5, measure: 'CLI cold start on the machine\'s Node', result: machine.note, target: comparison, pass: null, data: { machineNode: machine.kind } });
  return rows;
}

/**
 * The first `node` on PATH outside the project's own runtime folder (.node/, where
 * scripts/use-node.sh installs Node 24): the Node a user of this machine would run `rig` with.
 */
async function findMachineNode(root: string): Promise<MachineNode> {
  const projectRuntime = resolved(join(root, '.node'));
  const executable = process.platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, executable);
    const real = resolved(candidate);
    if (!isExecutableFile(candidate) || real === null) continue;
    if (projectRuntime !== null && (real + sep).startsWith(projectRuntime + sep)) continue;
    if (real === resolved(process.execPath)) return { kind: 'same', note: `the machine's node (${candidate}) is the one above (${process.version}); not timed twice` };
    const version = await new Promise<string>((resolve, reject) => {
      execFile(candidate, ['--version'], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
    });
    if (version === process.version) return { kind: 'same', note: `the machine's node (${candidate}) is ${version}, the same version as above; not timed twice` };
    return { kind: 'other', runtime: { path: candidate, version } };
  }
  return { kind: 'absent', note: `no node on PATH besides the project's ${process.version}; nothing to compare` };
}

function resolved(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Runs a command to completion; resolves with its wall time in ms, rejects when it fails. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(command, args, { env, timeout: 60_000 }, (error, _stdout, stderr) => {
      const elapsed = performance.now() - started;
      if (error) reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(elapsed);
    });
  });
}

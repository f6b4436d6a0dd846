import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { seconds, summary, type Row } from './report.js';
import { REGION, WORKSTATION, type BenchWorld } from './world.js';

const RUNS = 10;

/**
 * Item 5. Wall time of whole processes, spawn to exit, run in turns (one warm-up each, not
 * counted): `rig status --json` from the built CLI, with the workstation running and ssh
 * answering (so rig also does its ssh probe), against `aws ec2 describe-instances` for the same
 * workstation's tag through the same proxy.
 */
export async function measureColdStart(world: BenchWorld, root: string): Promise<Row[]> {
  const env = { ...world.rig.env, CLOUDRIG_HOME: world.rig.home };
  const rig = (): Promise<number> => run(process.execPath, [join(root, 'bin', 'rig.js'), 'status', '--json'], env);
  const aws = (): Promise<number> => run('aws', ['ec2', 'describe-instances', '--endpoint-url', world.rig.cloud.endpoint, '--region', REGION,
    '--filters', `Name=tag:cloudrig:workstation,Values=${WORKSTATION}`, '--output', 'json'], env);
  await rig();
  await aws();
  const rigMs: number[] = [];
  const awsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    rigMs.push(await rig());
    awsMs.push(await aws());
  }
  // Diagnostic: what loading the CLI alone costs (no AWS call, no ssh), and a bare node start.
  const loadMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    loadMs.push(await run(process.execPath, [join(root, 'bin', 'rig.js'), '--help'], env));
    nodeMs.push(await run(process.execPath, ['-e', '0'], env));
  }
  const r = summary(rigMs);
  const a = summary(awsMs);
  const load = summary(loadMs);
  const bare = summary(nodeMs);
  const ratio = r.median / a.median;
  return [{
    item: 5,
    measure: `CLI cold start, \`rig status\` vs \`aws ec2 describe-instances\` (median of ${RUNS})`,
    result: `${seconds(r.median)} vs ${seconds(a.median)} = ${ratio.toFixed(2)}× (\`rig --help\` ${seconds(load.median)}, bare node ${seconds(bare.median)})`,
    target: '≤ 0.5× the AWS CLI',
    pass: ratio <= 0.5,
    data: { rigMs: r, awsMs: a, ratio, rigSamples: rigMs, awsSamples: awsMs, rigHelpMs: load, bareNodeMs: bare },
  }];
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

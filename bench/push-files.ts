import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seconds, summary, type Row } from './report.js';
import type { Samples } from './samples.js';
import { ensureRunning, WORKSTATION, type BenchWorld } from './world.js';

const FILES = 400;

/**
 * DESIGN.md's `rig push` target: 400 one-line files pushed by the built `rig` (a whole process,
 * spawn to exit: start, the AWS look-up, ssh connect, the copy) against `scp -r` of the same folder
 * to the same sshd with the same key (also a whole process). Run in turns, each to a fresh
 * destination so every file is copied; one warm-up each, not counted. A push of the same folder
 * when nothing differs shows the fixed cost apart from the copy.
 */
export async function measurePushFiles(world: BenchWorld, root: string, samples: Samples): Promise<Row[]> {
  const runs = samples.pushRuns;
  await world.rig.sshd.start();
  await ensureRunning(world);
  const work = await mkdtemp(join(tmpdir(), 'cloudrig-bench-push-'));
  try {
    const project = join(work, 'project');
    await mkdir(project);
    for (let i = 0; i < FILES; i++) await writeFile(join(project, `file-${String(i).padStart(3, '0')}.txt`), `line ${i}\n`);
    const env = { ...world.rig.env, CLOUDRIG_HOME: world.rig.home };
    const { sshd } = world.rig;
    let n = 0;
    const rig = (): Promise<number> => run(process.execPath, [join(root, 'bin', 'rig.js'), 'push', project, join(work, `rig-${n++}`)], env);
    const scp = (): Promise<number> => run('scp', ['-q', '-r', '-P', String(sshd.port), '-i', join(world.rig.home, 'keys', `cloudrig-${WORKSTATION}.pem`),
      '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      project, `${sshd.user}@${sshd.host}:${join(work, `scp-${n++}`)}`], env);
    for (let i = 0; i < samples.warmUps; i++) {
      await rig();
      await scp();
    }
    const rigMs: number[] = [];
    const scpMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      rigMs.push(await rig());
      scpMs.push(await scp());
    }
    const again = summary([await run(process.execPath, [join(root, 'bin', 'rig.js'), 'push', project, join(work, 'rig-0')], env)]);
    const r = summary(rigMs);
    const s = summary(scpMs);
    const ratio = r.median / s.median;
    return [{
      item: 7,
      measure: `\`rig push\` of ${FILES} one-line files vs \`scp -r\` (median of ${runs}, whole processes)`,
      result: `${seconds(r.median)} vs ${seconds(s.median)} = ${ratio.toFixed(2)}× (nothing to copy: ${seconds(again.median)})`,
      target: '≤ 3× `scp -r`',
      pass: ratio <= 3,
      data: { files: FILES, rigMs: r, scpMs: s, ratio, rigSamples: rigMs, scpSamples: scpMs, upToDateMs: again.median },
    }];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs a command to completion; resolves with its wall time in ms, rejects when it fails. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(command, args, { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const elapsed = performance.now() - started;
      if (error) reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${stderr.trim().split('\n').at(-1) ?? error.message}`));
      else resolve(elapsed);
    });
  });
}

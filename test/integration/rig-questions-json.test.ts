import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/core/ssh-command.js';
import { launchedBox } from '../support/launched-box.js';
import { useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// `rig … --json > file` typed at a terminal: stdin and stderr are the terminal, stdout is a file a
// script will parse. A question rig asks (and the line that follows the answer) belongs on the
// terminal; stdout holds the one JSON object and nothing else.

const world = useRigWorld({ eachTest: { init: true } });

const RIG = join(import.meta.dirname, '..', '..', 'bin', 'rig.js');
const G_ON_DEMAND = 'L-DB2E81BA';

/**
 * Runs the built `rig args` under a pseudo-terminal (util-linux `script`) with its stdout sent to a
 * file, waits for `question` (on the terminal or, wrongly, in the file: there a prompt wraps at 80
 * columns, so `question` is its start), types `keys`, and returns what the terminal showed and what
 * the file holds.
 */
async function answeredWithStdoutToFile(args: readonly string[], question: string, keys: string): Promise<{ code: number; terminal: string; stdout: string }> {
  const file = join(world.home, 'stdout.txt');
  const command = `stty cols 120 rows 40 && exec ${[process.execPath, RIG, ...args].map(shellQuote).join(' ')} > ${shellQuote(file)}`;
  // script copies the terminal to its stdout; its own stderr is only script's errors.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...world.env, CLOUDRIG_HOME: world.home }, stdio: ['pipe', 'pipe', 'inherit'] });
  let terminal = '';
  child.stdout.on('data', (chunk: Buffer) => void (terminal += chunk.toString().replaceAll('\r\n', '\n')));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  const written = async (): Promise<string> => readFile(file, 'utf8').catch(() => '');
  await waitUntil(`the question "${question}"`, async () => terminal.includes(question) || (await written()).includes(question) || child.exitCode !== null, 20_000);
  child.stdin.write(keys);
  const code = await exited;
  return { code, terminal, stdout: await written() };
}

describe('a question asked under --json goes to the terminal, not into the JSON on stdout', () => {
  it('rig resize --json: "Stop gpu first?" is asked on the terminal and stdout is the resize object alone', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 64);
    const instanceId = await launchedBox(world, 'running');
    const resize = await answeredWithStdoutToFile(['resize', 'gpu', 'g5.xlarge', '--json'], 'Stop gpu first?', 'y\r');
    expect(resize.code, resize.terminal).toBe(0);
    expect(resize.terminal).toContain('Stop gpu first?');
    expect(resize.stdout).not.toContain('Stop gpu first?');
    expect(JSON.parse(resize.stdout)).toMatchObject({ name: 'gpu', instanceId, from: 'g4dn.xlarge', to: 'g5.xlarge', stopped: true });
  });

  it('rig resize --json answered no: "Nothing was changed." on the terminal, stdout empty, the instance still running', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 64);
    await launchedBox(world, 'running');
    const resize = await answeredWithStdoutToFile(['resize', 'gpu', 'g5.xlarge', '--json'], 'Stop gpu first?', 'n\r');
    expect(resize.code, resize.terminal).toBe(0);
    expect(resize.terminal).toContain('Nothing was changed.');
    expect(resize.stdout).toBe('');
    expect((await world.instances()).filter((i) => i.State?.Name === 'running').map((i) => i.InstanceType)).toEqual(['g4dn.xlarge']);
  });

  it('rig doctor --request-quota --json: the quota question and the filed request are on the terminal; stdout is the report alone', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 0);
    const doctor = await answeredWithStdoutToFile(['doctor', '--request-quota', '--json'], 'Ask AWS to raise', 'y\r');
    expect(doctor.code, doctor.terminal).toBe(0);
    expect(doctor.terminal).toContain('Ask AWS to raise "Running On-Demand G and VT instances" in us-east-1 from 0 to 4 vCPUs?');
    expect(doctor.terminal).toMatch(/Requested 4 vCPUs for "Running On-Demand G and VT instances" in us-east-1/);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ id: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.length).toBeGreaterThan(0);
    expect(world.cloud.proxy.quotaRequests()).toEqual([expect.objectContaining({ QuotaCode: G_ON_DEMAND, DesiredValue: 4 })]);
  });
});

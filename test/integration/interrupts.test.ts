import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { rigOnPty, type RigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';

/**
 * Ctrl-C at each step of `rig up`, `rig down --save-image` and `rig archive` that may leave an
 * instance billed, pressed on a real pseudo-terminal (the line discipline sends SIGINT, as in a
 * shell). Each time rig must print one line naming the instance, its rate and the command that
 * ends it, and exit 130; moto (behind the cloud proxy) is then asked what really runs, so the line
 * is checked against the truth. Each interrupt point is reached by waiting for a condition.
 */
const world = useRigWorld({ hold: { pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: 500 }, eachTest: { init: true } });

/** How long the proxy holds a request, an answer or a state at an interrupt point: far longer than reaching it takes. */
const HOLD_MS = 8_000;
const BILLED = new Set(['pending', 'running']);

interface Row {
  readonly point: string;
  readonly state: string;
  readonly exit: number;
  readonly line: boolean;
  readonly billedWithoutLine: boolean;
}
const rows: Row[] = [];

afterAll(async ({}, file) => {
  const unsaid = rows.filter((r) => r.billedWithoutLine).length;
  await writeReliabilitySection('interrupts', file, [
    `${rows.length} interrupt points. Each row: \`rig\` run on a pseudo-terminal, Ctrl-C pressed at the step (the terminal sends SIGINT), then the instance's state asked from AWS (moto behind the cloud proxy). "line" is whether rig printed the one line naming that instance (or the launch), its rate and the command that ends it.`,
    '',
    markdownTable(
      ['interrupted', 'instance in AWS after', 'exit', 'line printed', 'billed without a line'],
      rows.map((r) => [r.point, r.state, r.exit, r.line ? 'yes' : 'NO', r.billedWithoutLine ? 'YES' : 'no']),
    ),
    '',
    `Instances left billed without a line: ${unsaid}.`,
  ].join('\n'));
});

let box: string;
beforeEach(async () => {
  box = await mkdtemp(join(tmpdir(), 'cloudrig-box-'));
});
afterEach(() => rm(box, { recursive: true, force: true }));

/** `rig` on a pty; `spinner`: as in a user's terminal (no CI), where a spinner turns and reads the keyboard itself. */
function rigPty(args: readonly string[], options: { spinner?: boolean } = {}): RigOnPty {
  const env: NodeJS.ProcessEnv = { ...world.env, CLOUDRIG_HOME: world.home, CLOUDRIG_SETUP_DIR: join(box, 'setup') };
  if (options.spinner) delete env.CI;
  return rigOnPty(args, env);
}

/** Waits for the interrupt point, presses Ctrl-C, and returns rig's exit and output. */
async function interruptAt(rig: RigOnPty, what: string, reached: () => boolean | Promise<boolean>): Promise<{ code: number; output: string }> {
  await waitUntil(what, async () => {
    if (rig.ended()) throw new Error(`rig ended before ${what}:\n${rig.output()}`);
    return reached();
  }, 90_000);
  rig.pressCtrlC();
  return rig.exited;
}

/** The interrupt lines rig printed (after the terminal's echo of Ctrl-C, `^C`). */
function interruptLines(output: string): string[] {
  return output.split('\n').map((line) => line.replace(/^\^C/, '')).filter((line) => line.startsWith('Interrupted'));
}

/** The workstation's instances in AWS, with their states. */
async function instancesInAws(): Promise<{ id: string; state: string }[]> {
  return (await world.instances()).map((i) => ({ id: i.InstanceId ?? '', state: i.State?.Name ?? '' }));
}

/** Records the row: the state AWS reports, and whether a billed instance went unsaid. */
function record(point: string, exit: number, state: string, lineNamesIt: boolean): void {
  rows.push({ point, state, exit, line: lineNamesIt, billedWithoutLine: BILLED.has(state) && !lineNamesIt });
}

const RATE = /billed by the hour \(about \$0\.526\/hour on demand\)/;

describe('Ctrl-C during rig up says what is left billed', () => {
  it('after RunInstances was applied, its answer not yet back: the line names the instance AWS made', async () => {
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'RunInstances');
    const up = rigPty(['up']);
    const end = await interruptAt(up, 'RunInstances applied', () => (world.cloud.proxy.applied().RunInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'RunInstances');
    const [instance] = await instancesInAws();
    expect(instance).toBeDefined();
    const lines = interruptLines(end.output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Interrupted: ${instance!.id} (workstation gpu, g4dn.xlarge in us-east-1) is`);
    expect(lines[0]).toMatch(RATE);
    expect(lines[0]).toContain('`rig stop gpu`');
    expect(end.code).toBe(130);
    record('up: RunInstances applied, answer in flight', end.code, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);

  it('while RunInstances is on its way to AWS: the line says the launch was sent and may have started an instance', async () => {
    world.cloud.proxy.setLatency(HOLD_MS, 'RunInstances');
    const up = rigPty(['up']);
    const end = await interruptAt(up, 'RunInstances sent', () => (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);
    const lines = interruptLines(end.output);
    expect(lines).toEqual([expect.stringMatching(/^Interrupted: the launch of workstation gpu \(g4dn\.xlarge in us-east-1\) was sent and may have started an instance, billed by the hour \(about \$0\.526\/hour on demand\) while it runs\. See it with `rig status gpu`; end it with `rig down gpu`\.$/)]);
    expect(end.code).toBe(130);
    // The request goes on to AWS after rig is gone: the line's "may have started" is true.
    await waitUntil('the held RunInstances applied', () => (world.cloud.proxy.applied().RunInstances ?? 0) >= 1, 30_000);
    world.cloud.proxy.setLatency(0, 'RunInstances');
    const [instance] = await instancesInAws();
    record('up: RunInstances sent, not yet applied', end.code, instance?.state ?? 'none', lines.length === 1);
  }, 120_000);

  it('while waiting for the instance to run', async () => {
    world.cloud.proxy.setHold({ pendingMs: HOLD_MS * 4, stoppingMs: 500, shuttingDownMs: 500 });
    const up = rigPty(['up']);
    const end = await interruptAt(up, 'the wait for running', () => up.output().includes('Waiting for the instance to run'));
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted: ${instance!.id} (workstation gpu, g4dn.xlarge in us-east-1) is pending and billed by the hour (about $0.526/hour on demand). Stop it with \`rig stop gpu\` (keeps the disk) or end it with \`rig down gpu\`.`]);
    expect(instance!.state).toBe('pending');
    expect(end.code).toBe(130);
    record('up: waiting for the instance to run', end.code, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);

  it('while waiting for the instance to run, with the spinner of an interactive terminal turning', async () => {
    world.cloud.proxy.setHold({ pendingMs: HOLD_MS * 4, stoppingMs: 500, shuttingDownMs: 500 });
    const up = rigPty(['up'], { spinner: true });
    const end = await interruptAt(up, 'the wait for running', () => up.output().includes('Waiting for the instance to run'));
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted: ${instance!.id} (workstation gpu, g4dn.xlarge in us-east-1) is pending and billed by the hour (about $0.526/hour on demand). Stop it with \`rig stop gpu\` (keeps the disk) or end it with \`rig down gpu\`.`]);
    expect(end.code).toBe(130);
    record('up (interactive, spinner): waiting for the instance to run', end.code, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);

  it('while waiting for ssh', async () => {
    await world.sshd.stop();
    let end: { code: number; output: string };
    try {
      const up = rigPty(['up']);
      end = await interruptAt(up, 'the ssh wait', () => up.output().includes('Waiting for ssh'));
    } finally {
      await world.sshd.start();
    }
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted: ${instance!.id} (workstation gpu, g4dn.xlarge in us-east-1) is running and billed by the hour (about $0.526/hour on demand). Stop it with \`rig stop gpu\` (keeps the disk) or end it with \`rig down gpu\`.`]);
    expect(instance!.state).toBe('running');
    expect(end.code).toBe(130);
    record('up: waiting for ssh', end.code, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);

  it('while following the setup script: the line adds that the script keeps running', async () => {
    const script = join(box, 'setup.sh');
    await writeFile(script, '#!/bin/bash\necho installing\n');
    expect((await world.rig(initArgs(world, ['--setup', script]))).code).toBe(0);
    const up = rigPty(['up']);
    const end = await interruptAt(up, 'the follow of the setup', () => up.output().includes('Following the setup script'));
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted: ${instance!.id} (workstation gpu, g4dn.xlarge in us-east-1) is running and billed by the hour (about $0.526/hour on demand). Its setup script keeps running on it (\`rig up gpu\` follows it again). Stop it with \`rig stop gpu\` (keeps the disk) or end it with \`rig down gpu\`.`]);
    expect(instance!.state).toBe('running');
    expect(end.code).toBe(130);
    record('up: following the setup script', end.code, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);
});

describe('Ctrl-C during rig down --save-image says whether the terminate ran', () => {
  async function running(): Promise<string> {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const [instance] = await instancesInAws();
    return instance!.id;
  }

  it('while waiting for the image, before the terminate: the instance still runs, and the line says so with the image', async () => {
    const id = await running();
    world.cloud.proxy.setImagePendingMs(HOLD_MS * 4);
    const down = rigPty(['down', '--save-image', '--yes']);
    const end = await interruptAt(down, 'the image wait', () => /Waiting for ami-\S+ to be available/.test(down.output()));
    const imageId = /Waiting for (ami-\S+) to be available/.exec(end.output)![1]!;
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted before the terminate: ${id} (workstation gpu, g4dn.xlarge in us-east-1) was not terminated and is still running, billed by the hour (about $0.526/hour on demand). Image ${imageId} was requested and is kept (\`rig images gpu\` shows whether it is available). End it with \`rig down gpu --save-image\` (reuses that image) or \`rig down gpu\`.`]);
    expect(instance).toMatchObject({ id, state: 'running' });
    expect(end.code).toBe(130);
    record('down --save-image: waiting for the image (before the terminate)', end.code, instance!.state, lines[0]!.includes(id));
  }, 120_000);

  it('after the terminate was accepted: the line says it is no longer billed and names the image', async () => {
    const id = await running();
    world.cloud.proxy.setHold({ pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: HOLD_MS * 4 });
    const down = rigPty(['down', '--save-image', '--yes']);
    const end = await interruptAt(down, 'the terminate accepted', () => down.output().includes(`Waiting for ${id} to terminate`));
    const [instance] = await instancesInAws();
    const lines = interruptLines(end.output);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^Interrupted after the terminate: ${id} \\(workstation gpu, g4dn\\.xlarge in us-east-1\\) is terminating and no longer billed by the hour\\. Image ami-\\S+ is saved\\.$`))]);
    expect(['shutting-down', 'terminated']).toContain(instance!.state);
    expect(end.code).toBe(130);
    record('down --save-image: after the terminate was accepted', end.code, instance!.state, lines[0]!.includes(id));
  }, 120_000);
});

describe('Ctrl-C during rig down', () => {
  it('while TerminateInstances is on its way: says the instance may still run and how to make sure it ends', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const [before] = await instancesInAws();
    world.cloud.proxy.setLatency(HOLD_MS, 'TerminateInstances');
    const down = rigPty(['down', '--yes']);
    const end = await interruptAt(down, 'the terminate sent', () => (world.cloud.proxy.counts().TerminateInstances ?? 0) >= 1);
    world.cloud.proxy.setLatency(0, 'TerminateInstances');
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted while the terminate was sent: ${before!.id} (workstation gpu, g4dn.xlarge in us-east-1) may still be running, billed by the hour (about $0.526/hour on demand). Make sure it ends: \`rig down gpu\`.`]);
    expect(end.code).toBe(130);
    const [instance] = await instancesInAws();
    record('down: TerminateInstances sent, not yet applied', end.code, instance!.state, lines[0]!.includes(before!.id));
  }, 120_000);
});

describe('Ctrl-C during rig archive says what is billed and how to finish', () => {
  async function stopped(): Promise<string> {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const stop = await world.rig(['stop']);
    expect(stop.code, stop.stderr).toBe(0);
    const [instance] = await instancesInAws();
    return instance!.id;
  }

  it('while stopping the running box: the instance still runs, billed, and the rerun finishes the archive', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const [before] = await instancesInAws();
    world.cloud.proxy.setLatency(HOLD_MS, 'StopInstances');
    const archive = rigPty(['archive', '--yes']);
    const end = await interruptAt(archive, 'the stop sent', () => (world.cloud.proxy.counts().StopInstances ?? 0) >= 1);
    world.cloud.proxy.setLatency(0, 'StopInstances');
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted: ${before!.id} (workstation gpu, g4dn.xlarge in us-east-1) is running and billed by the hour (about $0.526/hour on demand). Finish with \`rig archive gpu\`. Or stop it with \`rig stop gpu\`.`]);
    expect(end.code).toBe(130);
    const [instance] = await instancesInAws();
    record('archive: StopInstances sent, not yet applied', end.code, instance!.state, lines[0]!.includes(before!.id));
    const again = await world.rig(['archive', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect((await instancesInAws())[0]).toMatchObject({ id: before!.id, state: 'terminated' });
  }, 120_000);

  it('while waiting for the image, before the terminate: the disk is billed, the image is kept, and the rerun reuses it', async () => {
    const id = await stopped();
    world.cloud.proxy.setImagePendingMs(HOLD_MS * 4);
    const archive = rigPty(['archive', '--yes']);
    const end = await interruptAt(archive, 'the image wait', () => /Waiting for ami-\S+ to be available/.test(archive.output()));
    const imageId = /Waiting for (ami-\S+) to be available/.exec(end.output)![1]!;
    const lines = interruptLines(end.output);
    expect(lines).toEqual([`Interrupted before the terminate: ${id} (workstation gpu, g4dn.xlarge in us-east-1) is stopped, its disk billed until the archive ends. Image ${imageId} was requested and is kept: \`rig archive gpu\` reuses it and finishes.`]);
    expect(end.code).toBe(130);
    const [instance] = await instancesInAws();
    record('archive: waiting for the image (before the terminate)', end.code, instance!.state, lines[0]!.includes(id));
    world.cloud.proxy.setImagePendingMs(0);
    const again = await world.rig(['archive', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ imageId });
  }, 120_000);

  it('after the terminate was accepted: no longer billed, the disk kept as the image `rig up` launches from', async () => {
    const id = await stopped();
    world.cloud.proxy.setHold({ pendingMs: 1_000, stoppingMs: 500, shuttingDownMs: HOLD_MS * 4 });
    const archive = rigPty(['archive', '--yes']);
    const end = await interruptAt(archive, 'the terminate accepted', () => archive.output().includes(`Waiting for ${id} to terminate`));
    const lines = interruptLines(end.output);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^Interrupted after the terminate: ${id} \\(workstation gpu, g4dn\\.xlarge in us-east-1\\) is terminating and no longer billed; its disk is kept as image ami-\\S+, and \`rig up gpu\` launches from it\\.$`))]);
    expect(end.code).toBe(130);
    const [instance] = await instancesInAws();
    record('archive: after the terminate was accepted', end.code, instance!.state, lines[0]!.includes(id));
  }, 120_000);
});

describe('SIGTERM (a process manager, a closed terminal) and an unknown rate', () => {
  it('says the same line, with "rate unknown" for a type without a price (never $0.00), and exits 143', async () => {
    const init = await world.rig(initArgs(world, ['--type', 't3.micro']));
    expect(init.code, init.stderr).toBe(0);
    await world.sshd.stop();
    let output: string;
    let code: number | null;
    try {
      const up = world.spawnRig(['up']);
      await waitUntil('the ssh wait', () => up.output().includes('Waiting for ssh'), 90_000);
      up.kill('SIGTERM');
      code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
      output = up.output();
    } finally {
      await world.sshd.start();
    }
    const [instance] = await instancesInAws();
    const lines = interruptLines(output);
    expect(lines).toEqual([`Interrupted: ${instance!.id} (workstation gpu, t3.micro in us-east-1) is running and billed by the hour (rate unknown). Stop it with \`rig stop gpu\` (keeps the disk) or end it with \`rig down gpu\`.`]);
    expect(output).not.toContain('$0.00');
    expect(code).toBe(143);
    record('up (SIGTERM, type without a price): waiting for ssh', code!, instance!.state, lines[0]!.includes(instance!.id));
  }, 120_000);
});

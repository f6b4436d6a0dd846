import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { pushResultLine } from '../../src/core/app/project-push.js';
import type { CostReportWithChart } from '../../src/core/app/cost.js';
import type { FolderPicker } from '../../src/core/app/shell-ports.js';
import type { RunHistory, RunInterval } from '../../src/core/cost-meter.js';
import { SNOOZE_HOURS } from '../../src/core/reminder-policy.js';
import { formOf } from '../../src/core/settings-view.js';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import type { WorkstationSpec } from '../../src/shared/workstation.js';
import { appOn, useApps } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// One use case, two faces: snooze, stop and a spec edit are driven once through the built `rig`
// and once through the app's IPC handlers (the handler map main binds to ipcMain, on a real
// AppSession), each on a fresh home and a clean moto, with a real sshd as the instance. Then the
// effects are compared: the instance's state in AWS, the keep-alive file on the box, the reminder
// state and the saved workstation spec.
const world = useRigWorld({ eachTest: { init: false } });

/** The edit both faces make: a bigger disk and a bigger type, with the instance stopped. */
const EDIT = { diskGiB: 200, instanceType: 'g4dn.2xlarge' } as const;

/** What one face left behind, with the action times taken out. */
interface Effects {
  readonly instanceStates: readonly (string | undefined)[];
  /** Seconds between the snooze and the time written into the keep-alive file. */
  readonly keepAliveAhead: number;
  /** Milliseconds between the snooze and the reminders' snoozedUntil. */
  readonly remindersAhead: number;
  /** The reminder state without its times. */
  readonly reminders: Record<string, unknown>;
  readonly spec: WorkstationSpec;
}

const startApp = useApps();

/** Local folders to push and the box's destination (sshd runs as this user: the box's disk is this one). */
let scratch: string | null = null;
async function scratchDir(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'cloudrig-same-effects-'));
  return scratch;
}
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Both faces start alike: `rig init` (ssh to the sshd fixture), the key trusted, `rig up`. */
async function runningWorkstation(): Promise<string> {
  await world.reset();
  const init = await world.rig(initArgs(world));
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
  const keepAlive = join(world.home, 'instance-keepalive');
  await rm(keepAlive, { force: true });
  return keepAlive;
}

async function effects(keepAlive: string, snoozedAt: number): Promise<Effects> {
  const instances = await world.instances();
  const keepAliveUntil = Number((await readFile(keepAlive, 'utf8')).trim());
  const { snoozedUntil, ...reminders } = JSON.parse(await readFile(join(world.home, 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number };
  const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, WorkstationSpec> };
  return {
    instanceStates: instances.map((instance) => instance.State?.Name),
    keepAliveAhead: keepAliveUntil - Math.floor(snoozedAt / 1000),
    remindersAhead: snoozedUntil - snoozedAt,
    reminders,
    spec: settings.workstations.gpu!,
  };
}

async function throughRig(): Promise<Effects> {
  const keepAlive = await runningWorkstation();
  const env = { CLOUDRIG_KEEPALIVE_FILE: keepAlive };
  const before = Date.now();
  const snooze = await world.rig(['snooze'], { env });
  expect(snooze.code, snooze.stderr).toBe(0);
  const after = Date.now();
  const stop = await world.rig(['stop'], { env });
  expect(stop.code, stop.stderr).toBe(0);
  const edit = await world.rig(['init', '--disk', String(EDIT.diskGiB), '--type', EDIT.instanceType], { env });
  expect(edit.code, edit.stderr).toBe(0);
  return within(await effects(keepAlive, before), after - before);
}

async function throughApp(): Promise<Effects> {
  const keepAlive = await runningWorkstation();
  const app = startApp(appOn(world, { env: { CLOUDRIG_KEEPALIVE_FILE: keepAlive } })).session;
  const handlers = ipcHandlers(app, async () => undefined);
  await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');

  // The reminder's Snooze button, then Stop from the popover, then Save in the settings form.
  const before = Date.now();
  await handlers['reminder:answer']({ action: 'snooze' });
  const after = Date.now();
  await handlers['workstation:stop'](undefined);
  await app.settled();
  await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Stopped');
  const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, WorkstationSpec> };
  await handlers['workstation:save']({ ...formOf(settings.workstations.gpu!), ...EDIT });
  return within(await effects(keepAlive, before), after - before);
}

/** Checks the times against the window the snooze ran in, then drops the slack so both faces compare equal. */
function within(found: Effects, windowMs: number): Effects {
  const hours = SNOOZE_HOURS * 3600;
  expect(found.keepAliveAhead).toBeGreaterThanOrEqual(hours - 1);
  expect(found.keepAliveAhead).toBeLessThanOrEqual(hours + Math.ceil(windowMs / 1000) + 1);
  expect(found.remindersAhead).toBeGreaterThanOrEqual(hours * 1000);
  expect(found.remindersAhead).toBeLessThanOrEqual(hours * 1000 + windowMs);
  return { ...found, keepAliveAhead: hours, remindersAhead: hours * 1000 };
}

describe('the same use cases serve rig and the app', () => {
  it('snooze, stop and a spec edit leave the same AWS state, keep-alive, reminder state and settings from either face', async () => {
    const cli = await throughRig();
    const app = await throughApp();

    expect(cli.instanceStates).toEqual(['stopped']);
    expect(cli.spec).toMatchObject(EDIT);
    expect(app).toEqual(cli);
  });

  it('opening a shell admits the laptop\'s new address first, from either face: `rig ssh` and the popover\'s Open terminal', async () => {
    const sshRules = async (): Promise<string[]> => {
      const ec2 = world.ec2();
      const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
      ec2.destroy();
      return (out.SecurityGroups ?? []).flatMap((g) => g.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp ?? '')).sort();
    };
    await runningWorkstation();
    world.cloud.proxy.setMyIp('198.51.100.9');
    const ssh = await world.rig(['ssh', '--', 'true'], { process: true });
    expect(ssh.code, ssh.stderr).toBe(0);
    const throughRig = await sshRules();

    await runningWorkstation();
    const app = startApp(appOn(world)).session;
    const handlers = ipcHandlers(app, async () => undefined);
    await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');
    world.cloud.proxy.setMyIp('198.51.100.9');
    await handlers['terminal:open'](undefined);
    // Read as Open terminal returns: the notice line stays only a few seconds, and asking AWS below may take longer.
    const notice = app.view().notice;
    const throughApp = await sshRules();

    expect(throughRig).toEqual(['198.51.100.9/32']);
    expect(throughApp).toEqual(throughRig);
    expect(notice).toMatch(/198\.51\.100\.9/);
  });

  it('a security group AWS will not show does not keep the shell shut, from either face: the shell opens and says the check could not run', async () => {
    await runningWorkstation();
    world.cloud.proxy.setMyIp('198.51.100.9');
    world.cloud.proxy.inject({ action: 'DescribeSecurityGroups', kind: 'server-error', times: Infinity });
    const ssh = await world.rig(['ssh', '--', 'true'], { process: true });
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stderr).toMatch(/^Could not check the security group: /m);

    await runningWorkstation();
    const record = startApp(appOn(world));
    const handlers = ipcHandlers(record.session, async () => undefined);
    await expect.poll(() => record.session.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');
    world.cloud.proxy.setMyIp('198.51.100.9');
    world.cloud.proxy.inject({ action: 'DescribeSecurityGroups', kind: 'server-error', times: Infinity });
    await handlers['terminal:open'](undefined);
    expect(record.record.terminals).toHaveLength(1);
    expect(record.session.view().notice).toMatch(/Could not check the security group: /);
  });
  it('the cost report `rig cost` prints and the spend chart the popover holds come from the same spend: the same month total, bars and budget line', async () => {
    await world.reset();
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    // A month of runs of this workstation and of one removed since, and one run last month that does not count.
    const now = Date.now();
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
    const at = (fraction: number): number => Math.floor(monthStart + (now - monthStart) * fraction);
    const run = (startedAt: number, endedAt: number, hourlyUsd: number): RunInterval =>
      ({ instanceId: 'i-0123456789abcdef0', instanceType: 'g4dn.xlarge', startedAt, endedAt, lastSeenAt: endedAt, hourlyUsd, priceSource: 'bundled', estimated: false });
    const histories: RunHistory[] = [
      { workstation: 'gpu', completeSince: monthStart - 86_400_000 * 40, intervals: [run(monthStart - 5 * 3_600_000, monthStart - 2 * 3_600_000, 4), run(at(0.1), at(0.3), 1.006)] },
      { workstation: 'old', completeSince: monthStart - 86_400_000 * 40, intervals: [run(at(0.5), at(0.6), 0.526)] },
    ];
    const store = new FileRunHistoryStore(world.home);
    for (const history of histories) await store.update(history.workstation, () => history);
    const settingsFile = join(world.home, 'settings.json');
    const settings = JSON.parse(await readFile(settingsFile, 'utf8')) as { reminders: Record<string, unknown> };
    await writeFile(settingsFile, JSON.stringify({ ...settings, reminders: { ...settings.reminders, monthlyBudgetUsd: 100 } }, null, 2));

    const cost = await world.rig(['cost', '--json']);
    expect(cost.code, cost.stderr).toBe(0);
    const report = JSON.parse(cost.stdout) as CostReportWithChart;

    const app = startApp(appOn(world)).session;
    await expect.poll(() => app.view().spendChart ?? null, { timeout: 20_000 }).not.toBeNull();
    const chart = app.view().spendChart!;

    const bars = (days: CostReportWithChart['chart']['days']) => days.map((day) => [day.date, day.usd, day.future]);
    expect(report.monthUsd).toBeGreaterThan(0);
    expect(chart.spentUsd).toBe(Math.round(report.monthUsd * 100) / 100);
    expect(chart.spentUsd).toBe(report.chart.spentUsd);
    expect(bars(chart.days)).toEqual(bars(report.chart.days));
    expect({ budgetUsd: chart.budgetUsd, budgetPerDayUsd: chart.budgetPerDayUsd }).toEqual({ budgetUsd: 100, budgetPerDayUsd: report.chart.budgetPerDayUsd });
  });

  it('a push from `rig push` and from the popover\'s Push now leave the same files on the box and the same outcome: ignore rules, a newer file kept, an unsafe name refused', async () => {
    const dir = await scratchDir();
    const project = join(dir, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await mkdir(join(project, '.git'), { recursive: true });
    await writeFile(join(project, 'train.py'), 'print("train")\n');
    await writeFile(join(project, 'run.sh'), '#!/bin/sh\npython train.py\n');
    await chmod(join(project, 'run.sh'), 0o755);
    await writeFile(join(project, 'src', 'model.py'), 'class Model: pass\n');
    await writeFile(join(project, '.gitignore'), '*.log\n');
    await writeFile(join(project, 'debug.log'), 'noise\n');
    await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(project, 'bell\u0007.txt'), 'a name no box should be given\n');
    await writeFile(join(project, 'notes.txt'), 'old notes\n');
    await utimes(join(project, 'notes.txt'), new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
    const box = join(dir, 'on-the-box');
    /** The box before each push: an empty destination but for notes edited there after the local copy. */
    const freshBox = async (): Promise<void> => {
      await rm(box, { recursive: true, force: true });
      await mkdir(box, { recursive: true });
      await writeFile(join(box, 'notes.txt'), 'notes edited on the box\n');
    };
    const boxFiles = async (): Promise<Array<{ path: string; mode: number; content: string }>> => {
      const files = [];
      for (const entry of await readdir(box, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        files.push({ path: path.slice(box.length + 1), mode: (await stat(path)).mode & 0o7777, content: await readFile(path, 'utf8') });
      }
      return files.sort((a, b) => a.path.localeCompare(b.path));
    };

    await runningWorkstation();
    await freshBox();
    const pushed = await world.rig(['push', '--json', project, box]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const throughRig = { files: await boxFiles(), outcome: pushResultLine(JSON.parse(pushed.stdout) as Parameters<typeof pushResultLine>[0]) };

    await runningWorkstation();
    await freshBox();
    const folderDialog: FolderPicker = { pickFolder: async () => project };
    const app = startApp(appOn(world, { folderPicker: folderDialog })).session;
    const handlers = ipcHandlers(app, async () => undefined);
    await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');
    await handlers['project:choose'](undefined);
    await handlers['project:update']({ remote: box });
    await expect.poll(() => app.view().connect?.project?.canPush, { timeout: 20_000 }).toBe(true);
    const view = await handlers['project:push'](undefined);
    const throughApp = { files: await boxFiles(), outcome: view.connect?.project?.result };

    expect(throughRig.files.map((file) => file.path)).toEqual(['.gitignore', 'notes.txt', 'run.sh', 'src/model.py', 'train.py']);
    expect(throughRig.files.find((file) => file.path === 'notes.txt')?.content).toBe('notes edited on the box\n');
    expect(throughRig.files.find((file) => file.path === 'run.sh')?.mode).toBe(0o755);
    expect(throughRig.outcome).toMatch(/^Pushed 4 files .*; 1 newer on the workstation kept; 1 left alone/);
    expect(throughApp).toEqual(throughRig);
  });
});

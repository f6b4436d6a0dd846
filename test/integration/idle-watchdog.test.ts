// The watchdog's bash, run for real: its probes (`who`, `ss`, `nvidia-smi`, `date`) and `shutdown`
// are stub scripts found first on PATH, so a test sets what the machine looks like at each minute.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDLE_CHECK_SCRIPT, idleWatchdogInstaller, snoozeCommand, userDataFor } from '../../src/core/idle-watchdog.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';

const MINUTE = 60;

/** A scratch machine: stubs on PATH, a run dir, a keep-alive file, and a log of shutdowns. */
class Machine {
  readonly dir = mkdtempSync(join(tmpdir(), 'cloudrig-watchdog-'));
  readonly bin = join(this.dir, 'bin');
  readonly script = join(this.dir, 'cloudrig-idle-check');
  readonly keepalive = join(this.dir, 'var', 'keepalive');
  now = Date.parse('2026-11-10T09:00:00Z') / 1000;

  constructor(readonly idleMinutes = 60) {
    spawnSync('mkdir', ['-p', this.bin, join(this.dir, 'var')]);
    writeFileSync(this.script, IDLE_CHECK_SCRIPT, { mode: 0o755 });
    this.stub('date', `if [ "$1" = "+%s" ]; then cat "${this.file('now')}"; else exec /bin/date "$@"; fi`);
    this.stub('who', `cat "${this.file('who')}" 2>/dev/null; true`);
    this.stub('ss', `cat "${this.file('ss')}" 2>/dev/null; true`);
    this.stub('nvidia-smi', `cat "${this.file('gpus')}"`);
    this.stub('shutdown', `echo "shutdown $* at $(cat "${this.file('now')}")" >> "${this.file('shutdowns')}"`);
    this.gpus([0]);
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  stub(name: string, body: string): void {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/bin/bash\n${body}\n`);
    chmodSync(path, 0o755);
  }

  who(sessions: string): void {
    writeFileSync(this.file('who'), sessions);
  }

  ss(connections: string): void {
    writeFileSync(this.file('ss'), connections);
  }

  gpus(utilization: readonly number[]): void {
    writeFileSync(this.file('gpus'), utilization.map((u) => `${u}\n`).join(''));
  }

  removeNvidiaSmi(): void {
    rmSync(join(this.bin, 'nvidia-smi'));
  }

  /** Runs one check at the current time, as the timer would. */
  check(): void {
    writeFileSync(this.file('now'), `${this.now}\n`);
    const result = spawnSync('bash', [this.script], {
      encoding: 'utf8',
      env: {
        PATH: `${this.bin}:/usr/bin:/bin`,
        CLOUDRIG_IDLE_MINUTES: String(this.idleMinutes),
        CLOUDRIG_GPU_BUSY_PERCENT: '10',
        CLOUDRIG_KEEPALIVE_FILE: this.keepalive,
        CLOUDRIG_RUN_DIR: join(this.dir, 'run'),
      },
    });
    if (result.status !== 0) throw new Error(`check failed (${result.status}): ${result.stderr}`);
  }

  /** Checks once a minute for `minutes` minutes (the check at the start included, not the end). */
  runFor(minutes: number, each?: (minute: number) => void): void {
    for (let minute = 0; minute < minutes; minute++) {
      each?.(minute);
      this.check();
      this.now += MINUTE;
    }
  }

  shutdowns(): string[] {
    return existsSync(this.file('shutdowns')) ? readFileSync(this.file('shutdowns'), 'utf8').trim().split('\n') : [];
  }

  /** Minutes from `since` (epoch s) to the first shutdown, or null when none happened. */
  minutesToShutdown(since: number): number | null {
    const first = this.shutdowns()[0];
    if (first === undefined) return null;
    return (Number(first.split(' at ')[1]) - since) / MINUTE;
  }

  cleanUp(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Most cases use 15 idle minutes: each check costs a few bash processes.
describe('idle watchdog check script', () => {
  let machine: Machine;
  beforeEach(() => {
    machine = new Machine(15);
  });
  afterEach(() => machine.cleanUp());

  it('shuts down with `shutdown -h now` once idle for 60 minutes, not a minute sooner', () => {
    machine.cleanUp();
    machine = new Machine(60);
    const start = machine.now;
    machine.runFor(60);
    expect(machine.shutdowns()).toEqual([]);
    machine.runFor(1);
    expect(machine.shutdowns()).toEqual([`shutdown -h now at ${start + 60 * MINUTE}`]);
  });

  it('never shuts down while a login session exists, and counts idle time from when it ends', () => {
    machine.who('ubuntu   pts/0        2026-11-10 09:00 (198.51.100.7)\n');
    machine.runFor(45);
    expect(machine.shutdowns()).toEqual([]);

    machine.who('');
    const loggedOut = machine.now;
    machine.runFor(20);
    expect(machine.minutesToShutdown(loggedOut)).toBe(15);
  });

  it('never shuts down while any GPU is busy; GPUs under the threshold count as idle', () => {
    machine.gpus([3, 85]);
    machine.runFor(45);
    expect(machine.shutdowns()).toEqual([]);

    machine.gpus([9, 0]); // under 10%
    const quiet = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(quiet)).toBe(15);
  });

  it('ignores the GPU when nvidia-smi is absent', () => {
    machine.removeNvidiaSmi();
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('never shuts down while the keep-alive file holds a future time; resumes counting after it', () => {
    const keepUntil = machine.now + 45 * MINUTE;
    writeFileSync(machine.keepalive, `${keepUntil}\n`);
    machine.runFor(45);
    expect(machine.shutdowns()).toEqual([]);
    // Idle counting starts at the keep-alive time.
    machine.runFor(20);
    expect(machine.minutesToShutdown(keepUntil)).toBe(15);
  });

  it('treats a keep-alive file that holds no number as absent', () => {
    writeFileSync(machine.keepalive, 'tomorrow\n');
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('treats a keep-alive time in the past as absent', () => {
    writeFileSync(machine.keepalive, `${machine.now - 1}\n`);
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('stays up for an ssh connection that lasts (VS Code, a tunnel) but not for short probes', () => {
    machine.ss('0 0 10.0.0.5:22 198.51.100.7:50022\n');
    machine.runFor(45);
    expect(machine.shutdowns()).toEqual([]);

    // CloudRig's own probes: a new source port at every check.
    const probesOnly = machine.now;
    machine.runFor(16, (minute) => machine.ss(`0 0 10.0.0.5:22 198.51.100.7:${40_000 + minute}\n`));
    expect(machine.minutesToShutdown(probesOnly)).toBe(15);
  });

  it('restarts idle counting when the clock jumps back past the idle marker', () => {
    machine.runFor(10);
    machine.now -= 3 * 3600; // the clock jumps back
    const afterJump = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(afterJump)).toBe(15);
  });
});

describe('snooze command', () => {
  let machine: Machine;
  beforeEach(() => {
    machine = new Machine(15);
  });
  afterEach(() => machine.cleanUp());

  it('writes the keep-alive time under a POSIX sh, and the watchdog then keeps the machine up', () => {
    const result = spawnSync('sh', ['-c', snoozeCommand(2, machine.now, machine.keepalive)], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(readFileSync(machine.keepalive, 'utf8')).toBe(`${machine.now + 7200}\n`);
    expect(result.stdout).toContain(`kept awake until ${machine.now + 7200}`);

    machine.now += 2 * 3600 - 5 * MINUTE; // most of the snooze passes
    machine.runFor(5);
    expect(machine.shutdowns()).toEqual([]);
    const snoozeEnd = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(snoozeEnd)).toBe(15);
  });

  it('refuses a negative or absurd number of hours', () => {
    expect(() => snoozeCommand(-1, machine.now)).toThrow(/Cannot snooze/);
    expect(() => snoozeCommand(24 * 8, machine.now)).toThrow(/Cannot snooze/);
  });
});

describe('watchdog installer (launch user data)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cloudrig-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('installs the check script, its settings, the service and the timer, and enables the timer', () => {
    const spec = WorkstationSpecSchema.parse({
      name: 'gpu',
      region: 'us-east-1',
      instanceType: 'g4dn.xlarge',
      image: { kind: 'ami', imageId: 'ami-1' },
      ingressCidr: '203.0.113.7/32',
      autoStop: { enabled: true, idleMinutes: 45, gpuBusyPercent: 20 },
    });
    const userData = userDataFor(spec);
    expect(userData).not.toBeNull();
    const bin = join(root, 'stub-bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'systemctl'), `#!/bin/bash\necho "systemctl $*" >> "${join(root, 'systemctl.log')}"\n`, { mode: 0o755 });
    const installer = join(root, 'user-data.sh');
    writeFileSync(installer, userData!);

    const result = spawnSync('bash', [installer], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`, CLOUDRIG_ROOT: join(root, 'fs') },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const fs = (path: string): string => readFileSync(join(root, 'fs', path), 'utf8');
    expect(fs('usr/local/sbin/cloudrig-idle-check')).toBe(IDLE_CHECK_SCRIPT);
    expect(fs('etc/cloudrig/idle.env')).toBe('CLOUDRIG_IDLE_MINUTES=45\nCLOUDRIG_GPU_BUSY_PERCENT=20\n');
    expect(fs('etc/systemd/system/cloudrig-idle.service')).toContain('ExecStart=/usr/local/sbin/cloudrig-idle-check');
    expect(fs('etc/systemd/system/cloudrig-idle.timer')).toContain('OnUnitActiveSec=1min');
    expect(readFileSync(join(root, 'systemctl.log'), 'utf8')).toBe('systemctl daemon-reload\nsystemctl enable --now cloudrig-idle.timer\n');
  });

  it('is valid bash however the ssh user is spelled', () => {
    const installer = idleWatchdogInstaller({ idleMinutes: 60, gpuBusyPercent: 10 }, "o'brien; rm -rf /");
    const result = spawnSync('bash', ['-n'], { input: installer, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(installer).toContain(`ssh_user='o'\\''brien; rm -rf /'`);
  });
});

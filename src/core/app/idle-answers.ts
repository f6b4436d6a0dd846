// What the app knows about each workstation's idleness for its current run: the watchdog's answer
// (asked over ssh when due, at most one probe in flight per workstation) and the GPU stats' view,
// combined. The monitor's reminders read it; an answer brings them up to date.
import type { Snapshot } from '../../shared/workstation.js';
import { idleProbeDue, runKey } from '../cost-watch.js';
import { toErrorInfo } from '../errors.js';
import { idleStatusCommand, parseIdleStatus, type IdleStatus } from '../idle-watchdog.js';
import type { SshTarget } from '../ports.js';
import { sshTargetOf } from '../ssh-command.js';
import { combinedIdle, type StatsIdle } from '../stats-idle.js';
import { resourceName } from '../workstation-service.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** What the idle answers read from, and report to, the monitor that owns them. */
export interface IdleAnswersHost {
  core(): CloudRigCore;
  /** A watchdog answered: the reminders look again. */
  answered(): void;
  log(line: string): void;
}

/** The watchdog's last answer about one run of a workstation, and when it was asked. */
interface IdleAnswer {
  readonly run: string | null;
  readonly status: IdleStatus | null;
  /** When the probe that gave `status` was sent (null while none has answered). */
  readonly statusAt: number | null;
  readonly probedAt: number;
}

/** How long the app waits for a watchdog's answer over ssh. */
const IDLE_PROBE_TIMEOUT_MS = 10_000;

export class IdleAnswers {
  /** Per workstation, the watchdog's last answer about its current run. */
  private readonly idle = new Map<string, IdleAnswer>();
  /** The probes in flight, at most one per workstation. */
  private readonly idleProbes = new Map<string, Promise<void>>();
  /** Per workstation, the GPU stats' view of idleness for its current run (the stats feed the idle reminder). */
  private readonly statsIdle = new Map<string, { readonly run: string | null; readonly status: StatsIdle }>();

  constructor(private readonly host: IdleAnswersHost) {}

  /** Forgets every answer (the core was rebuilt). */
  reset(): void {
    this.idle.clear();
    this.statsIdle.clear();
  }

  /** The probes in flight now. */
  inFlight(): Promise<void>[] {
    return [...this.idleProbes.values()];
  }

  /** The instance took a snooze until `until`: its watchdog keeps it awake, so show it so. */
  noteSnoozed(snapshot: Snapshot | null, until: number): void {
    const answer = snapshot === null ? undefined : this.idle.get(snapshot.name);
    if (snapshot !== null && answer !== undefined && answer.run === runKey(snapshot)) {
      this.idle.set(snapshot.name, { ...answer, status: { idleSince: null, keptAwakeUntil: until }, statusAt: this.host.core().clock.now() });
    }
  }

  /** The GPU stats' view of idleness after a new reading of a workstation. */
  noteStats(name: string, run: string | null, status: StatsIdle): void {
    this.statsIdle.set(name, { run, status });
  }

  /** The idle status of this snapshot's run: the watchdog's answer and the GPU stats' view, combined (see stats-idle.ts). */
  of(snapshot: Snapshot): IdleStatus | null {
    const run = runKey(snapshot);
    const answer = this.idle.get(snapshot.name);
    const watchdog = answer !== undefined && answer.run === run && answer.status !== null && answer.statusAt !== null ? { status: answer.status, askedAt: answer.statusAt } : null;
    const stats = this.statsIdle.get(snapshot.name);
    return combinedIdle(watchdog, stats !== undefined && stats.run === run ? stats.status : null, this.host.core().clock.now());
  }

  /**
   * Asks this workstation's watchdog (over ssh) since when its machine has been idle, when that is
   * due for its run; one probe in flight per workstation. The answer is kept for that run only.
   */
  probe(core: CloudRigCore, snapshot: Snapshot, now: number): void {
    const name = snapshot.name;
    const run = runKey(snapshot);
    const last = this.idle.get(name);
    if (last !== undefined && last.run !== run) this.idle.delete(name);
    const current = last?.run === run ? last : null;
    const enabled = core.service.spec(name).autoStop.enabled;
    if (this.idleProbes.has(name) || !idleProbeDue(snapshot, enabled, current?.probedAt ?? null, now)) return;
    const target = targetOf(core, snapshot);
    if (target === null) return;
    this.idle.set(name, { run, status: current?.status ?? null, statusAt: current?.statusAt ?? null, probedAt: now });
    const probe = core.ssh.exec(target, idleStatusCommand(core.keepAliveFile ?? undefined), IDLE_PROBE_TIMEOUT_MS).then(
      (result) => {
        if (core !== this.host.core() || this.idle.get(name)?.run !== run) return;
        if (result.code !== 0) {
          this.host.log(`idle check of ${name} failed: exit ${result.code}`);
          return;
        }
        this.idle.set(name, { run, status: parseIdleStatus(result.stdout, core.clock.now()), statusAt: now, probedAt: now });
        this.host.answered();
      },
      (error: unknown) => this.host.log(`idle check of ${name} failed: ${toErrorInfo(error).message}`),
    ).finally(() => {
      if (this.idleProbes.get(name) === probe) this.idleProbes.delete(name);
    });
    this.idleProbes.set(name, probe);
  }
}

/** Where ssh reaches the instance of this snapshot, without asking AWS again. */
export function targetOf(core: CloudRigCore, snapshot: Snapshot): SshTarget | null {
  if (snapshot.instance?.state !== 'running') return null;
  const spec = core.service.spec(snapshot.name);
  return sshTargetOf(spec, snapshot.instance, core.keys.pathOf(resourceName(spec.name)), core.keys.knownHostsPathOf(spec.name));
}

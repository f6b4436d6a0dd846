// The app's push folder: a local folder chosen once per workstation with the
// system's folder dialog, pushed with the same use case as `rig push` (push.ts, over the kept-alive
// session's sftp) on "Push now", and once per run when the workstation becomes ready with "Push on
// start" on. Progress and the outcome are part of the connect view; a failure is shown with its
// fix and touches nothing else.
import { byteSize } from '../../shared/byte-size.js';
import type { ProjectFolder } from '../../shared/settings.js';
import type { ProjectPushView, PushProgressView } from '../../shared/views.js';
import { hasControlCharacters } from '../../shared/untrusted-text.js';
import type { ErrorInfo, Snapshot } from '../../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { CopyProgress, SyncSummary } from './files.js';
import type { RemoteSession } from './remote-access.js';
import { ConnectUseCases } from './rig-connect.js';
import type { FolderPicker } from './shell-ports.js';

/** How often, at most, a push's progress reaches the view (each emit is an IPC message). */
export const PUSH_PROGRESS_MS = 200;

/** The last path segment of a local path, on any OS (core has no node:path). */
export function folderBasename(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) ?? '';
}

/** Where a folder goes by default: ~/<its name>. */
export function defaultRemoteFolder(local: string): string {
  const name = folderBasename(local);
  return name === '' ? '~' : `~/${name}`;
}

/** A remote folder as the popover sends it: trimmed, no control characters; empty means the default. */
export function checkedRemoteFolder(remote: string, local: string): string {
  const trimmed = remote.trim();
  if (trimmed === '') return defaultRemoteFolder(local);
  if (hasControlCharacters(trimmed)) {
    throw new CloudRigError('InvalidInput', `The folder ${JSON.stringify(trimmed)} has a control character.`,
      { action: 'correct-input', field: 'folder', hint: 'give a folder on the workstation such as ~/project or /data.' });
  }
  return trimmed;
}

/** The outcome line of a push: "Pushed 12 files (3.4 MiB)" or "Up to date", and what was kept on the workstation. */
export function pushResultLine(summary: SyncSummary): string {
  const n = summary.copied.length;
  const newer = summary.kept.filter((kept) => kept.reason === 'newer').length;
  const other = summary.kept.length - newer;
  // The app does not replace: a newer file on the box is the user's to resolve there (or with the CLI's push, which can).
  const kept = `${newer ? `; ${newer} newer on the workstation kept` : ''}${other ? `; ${other} left alone (not replaced)` : ''}`;
  if (n === 0) return `Up to date${summary.skipped ? ` (${summary.skipped} file${summary.skipped === 1 ? '' : 's'} unchanged)` : ''}${kept}`;
  return `Pushed ${n} file${n === 1 ? '' : 's'} (${byteSize(summary.bytes)})${summary.skipped ? `, ${summary.skipped} unchanged` : ''}${kept}`;
}

function progressView(p: CopyProgress): PushProgressView {
  const shown = Math.min(p.filesDone + 1, p.filesTotal);
  return {
    filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal,
    text: `${shown} of ${p.filesTotal} file${p.filesTotal === 1 ? '' : 's'} · ${byteSize(p.bytesDone)} of ${byteSize(p.bytesTotal)}`,
  };
}

export interface ProjectPushDeps {
  readonly core: () => CloudRigCore;
  /** The kept-alive session to a ready workstation (AppConnect's). */
  readonly session: (name: string) => Promise<RemoteSession>;
  readonly changed: () => void;
  readonly log: (line: string) => void;
}

/** One workstation's push folder, its pushes and what the popover shows of them. */
export class ProjectPush {
  /** The push under way: which workstation, and its generation (a Stop makes it stale). */
  private running: { name: string; generation: number; progress: PushProgressView | null } | null = null;
  private generation = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private readonly outcomes = new Map<string, { result: string | null; error: ErrorInfo | null }>();
  /** Runs (runKey) already pushed on start: a run is pushed once, however often it turns ready. */
  private readonly pushedRuns = new Set<string>();

  constructor(private readonly deps: ProjectPushDeps) {}

  /** The folder chosen for `name`, or null. */
  folder(name: string): ProjectFolder | null {
    return this.deps.core().settings.read().projectFolders[name] ?? null;
  }

  private save(name: string, folder: ProjectFolder): ProjectFolder {
    this.deps.core().settings.update((settings) => ({ ...settings, projectFolders: { ...settings.projectFolders, [name]: folder } }));
    this.outcomes.delete(name);
    this.deps.changed();
    return folder;
  }

  /** "Change…": the folder dialog; a new folder goes to ~/<its name> unless it is the same folder. Null when cancelled. */
  async choose(name: string, picker: FolderPicker | undefined): Promise<ProjectFolder | null> {
    if (!picker) throw new CloudRigError('InvalidInput', 'A folder cannot be chosen here.', { action: 'push-by-path', name });
    const current = this.folder(name);
    const local = await picker.pickFolder({ title: `Folder to push to ${name}`, defaultPath: current?.local ?? null });
    if (local === null) return null;
    const remote = current?.local === local ? current.remote : defaultRemoteFolder(local);
    return this.save(name, { local, remote, pushOnStart: current?.pushOnStart ?? false });
  }

  /** "Push on start" on or off, or another folder on the workstation. */
  update(name: string, change: { readonly pushOnStart?: boolean; readonly remote?: string }): ProjectFolder {
    const current = this.folder(name);
    if (!current) throw new CloudRigError('InvalidInput', `No push folder is chosen for ${name} yet.`, { action: 'pick-push-folder', name });
    return this.save(name, {
      ...current,
      ...(change.pushOnStart !== undefined ? { pushOnStart: change.pushOnStart } : {}),
      ...(change.remote !== undefined ? { remote: checkedRemoteFolder(change.remote, current.local) } : {}),
    });
  }

  /**
   * A run ends when the instance is seen not running (EC2 gives a restarted instance a new
   * LaunchTime, so a new run key; an endpoint that keeps the old one still gets a push per start).
   */
  noteSnapshot(snapshot: Snapshot): void {
    if (snapshot.instance?.state !== 'running') for (const run of this.pushedRuns) if (run.startsWith(`${snapshot.name}|`)) this.pushedRuns.delete(run);
  }

  /** The workstation became ready in run `run`: push once for that run when "Push on start" is on. */
  onReady(name: string, run: string | null): void {
    const folder = this.folder(name);
    const key = `${name}|${run}`;
    if (!folder?.pushOnStart || run === null || this.pushedRuns.has(key)) return;
    this.pushedRuns.add(key);
    this.push(name).catch(() => undefined);
  }

  /** "Push now" (and the push on start): copies what differs; the outcome shows in the view. */
  async push(name: string): Promise<SyncSummary> {
    const folder = this.folder(name);
    if (!folder) throw new CloudRigError('InvalidInput', `No push folder is chosen for ${name} yet.`, { action: 'pick-push-folder', name });
    if (this.running) throw new CloudRigError('Busy', `A push to ${this.running.name} is under way.`, { action: 'retry', reason: 'busy' });
    const generation = ++this.generation;
    const running = { name, generation, progress: null as PushProgressView | null };
    this.running = running;
    this.deps.changed();
    const stale = (): boolean => this.running !== running;
    try {
      const summary = await this.copy(name, folder, (progress) => {
        if (stale()) return;
        running.progress = progressView(progress);
        const now = this.deps.core().clock.now();
        if (now - this.lastEmit >= PUSH_PROGRESS_MS) {
          this.lastEmit = now;
          this.deps.changed();
        }
      });
      if (!stale()) this.outcomes.set(name, { result: pushResultLine(summary), error: null });
      return summary;
    } catch (error) {
      const info = toErrorInfo(error);
      this.deps.log(`push to ${name}: ${info.code} ${info.message}`);
      // A push cut short by Stop is not news; anything else shows with its fix.
      if (!stale()) this.outcomes.set(name, { result: null, error: info });
      throw error;
    } finally {
      if (!stale()) {
        this.running = null;
        this.deps.changed();
      }
    }
  }

  /** The same push as `rig push` (push.ts) over the kept-alive session: the local folder must still exist, as a folder. */
  private async copy(name: string, folder: ProjectFolder, onProgress: (progress: CopyProgress) => void): Promise<SyncSummary> {
    const push = await new ConnectUseCases(this.deps.core()).push({
      name,
      local: folder.local,
      remote: folder.remote,
      folderOnly: true,
      unusable: (found) => new CloudRigError('FolderMissing', `The push folder ${folder.local} ${found === null ? 'no longer exists' : 'is no longer a folder'}.`,
        { action: 'choose-push-folder', name, path: folder.local }),
      session: this.deps.session,
    });
    return push.copy({ onProgress }).summary;
  }

  /** The workstation left ready: a push under way is abandoned (its session is closing). */
  interrupt(): void {
    if (!this.running) return;
    this.running = null;
    this.deps.changed();
  }

  /** The push folder part of the connect view. */
  view(name: string, ready: boolean): ProjectPushView {
    const folder = this.folder(name);
    const outcome = this.outcomes.get(name);
    const running = this.running?.name === name ? this.running : null;
    return {
      local: folder?.local ?? null,
      remote: folder?.remote ?? null,
      pushOnStart: folder?.pushOnStart ?? false,
      progress: running ? running.progress ?? { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, text: 'Comparing…' } : null,
      result: running ? null : outcome?.result ?? null,
      error: running ? null : outcome?.error ?? null,
      canPush: ready && folder !== null && this.running === null,
    };
  }
}

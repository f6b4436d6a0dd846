import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { isChangeCommand, type HomeChange, type HomeChanges } from '../../core/home-changes.js';
import { writeFileAtomic } from './atomic-file.js';

/** How often the fallback looks at the file when the platform cannot watch the folder. */
const POLL_MS = 250;

/**
 * `<home>/state/changed`: the last change a `rig` command made, written atomically (temp file then
 * rename), so a reader sees a whole announcement or the one before. The app watches the folder
 * with fs.watch (inotify, FSEvents, ReadDirectoryChangesW) and falls back to polling the file's
 * stat where that is not available (some network and container file systems).
 */
export class FileHomeChanges implements HomeChanges {
  readonly path: string;

  constructor(
    private readonly home: string,
    private readonly options: { readonly mode?: 'watch' | 'poll'; readonly pid?: number } = {},
  ) {
    this.path = join(home, 'state', 'changed');
  }

  private get pid(): number {
    return this.options.pid ?? process.pid;
  }

  async announce(change: Omit<HomeChange, 'id' | 'pid' | 'at'>): Promise<void> {
    const full: HomeChange = { ...change, id: randomUUID(), pid: this.pid, at: Date.now() };
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(full)}\n`);
    } catch {
      // The app then learns of the change at its next poll; the command itself succeeded.
    }
  }

  watch(listener: (change: HomeChange) => void): () => void {
    const dir = join(this.home, 'state');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      // Unwritable home: fs.watch below fails too, and polling the path still sees a later file.
    }
    // What is there already was announced before this watcher started: not news.
    let lastId = this.read()?.id ?? null;
    const check = (): void => {
      const change = this.read();
      if (!change || change.id === lastId) return;
      lastId = change.id;
      if (change.pid !== this.pid) listener(change);
    };
    let watcher: FSWatcher | null = null;
    let polling = false;
    const poll = (): void => {
      watcher?.close();
      watcher = null;
      if (polling) return;
      polling = true;
      watchFile(this.path, { interval: POLL_MS, persistent: false }, check);
    };
    if (this.options.mode === 'poll') {
      poll();
    } else {
      try {
        // The file is replaced by a rename, so watch its folder, not the file's old inode.
        watcher = watch(dir, { persistent: false }, (_event, filename) => {
          if (filename === null || filename === 'changed') check();
        });
        watcher.on('error', poll);
      } catch {
        poll();
      }
    }
    return () => {
      watcher?.close();
      watcher = null;
      if (polling) unwatchFile(this.path, check);
      polling = false;
    };
  }

  /** The last announcement, or null when there is none or it cannot be read. */
  private read(): HomeChange | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const value = JSON.parse(text) as Partial<HomeChange>;
      if (typeof value.id !== 'string' || typeof value.command !== 'string' || !isChangeCommand(value.command)) return null;
      return {
        id: value.id,
        command: value.command,
        workstation: typeof value.workstation === 'string' ? value.workstation : null,
        stage: value.stage === 'running' ? 'running' : 'done',
        pid: typeof value.pid === 'number' ? value.pid : 0,
        at: typeof value.at === 'number' ? value.at : 0,
      };
    } catch {
      return null;
    }
  }
}

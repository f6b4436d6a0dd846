import { watch } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Stats } from 'node:fs';
import type { ChangeWatcher } from '../../core/app/file-watch.js';
import type { FileEntry, FileTree } from '../../core/app/files.js';

/** A tree-relative path ('/'-separated, '' for the root) on this computer. */
export function localPath(root: string, path: string): string {
  return path === '' ? root : join(root, ...path.split('/'));
}

function entryOf(name: string, stats: Stats): FileEntry {
  // Symbolic links below the root are not followed (a link to a parent would never end): a push
  // leaves them out, and a pull never writes through one.
  const kind = stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'link' : 'other';
  return { name, kind, size: stats.size, mtimeMs: stats.mtimeMs, mode: stats.mode & 0o7777 };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A folder (or one file) on this computer's disk. */
export class LocalFileTree implements FileTree {
  constructor(readonly root: string) {}

  async stat(path: string): Promise<FileEntry | null> {
    try {
      // The root is what the user named: a link there is followed (`rig push ./current` → its folder).
      const look = path === '' ? stat : lstat;
      return entryOf(path.split('/').at(-1) ?? '', await look(localPath(this.root, path)));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async list(path: string): Promise<FileEntry[]> {
    const dir = localPath(this.root, path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const entries = await Promise.all(names.map(async (name) => {
      try {
        return entryOf(name, await lstat(join(dir, name)));
      } catch (error) {
        // Deleted between the listing and the look (an editor's temp file).
        if (isMissing(error)) return null;
        throw error;
      }
    }));
    return entries.filter((entry): entry is FileEntry => entry !== null);
  }

  async readText(path: string): Promise<string | null> {
    try {
      return await readFile(localPath(this.root, path), 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }
}

/**
 * Changes under a local folder, from fs.watch (recursive: Node 20 supports it on Linux, macOS and
 * Windows). For one file, its folder is watched and only that name reported: editors that save by
 * writing a new file and renaming it over the old one would end a watch on the file itself.
 */
export class FsChangeWatcher implements ChangeWatcher {
  constructor(private readonly root: string, private readonly isFile: boolean) {}

  watch(onChange: (path: string) => void): { close(): void } {
    const folder = this.isFile ? dirname(this.root) : this.root;
    const name = basename(this.root);
    const watcher = watch(folder, { recursive: !this.isFile }, (_event, filename) => {
      const changed = filename ? filename.toString().split(sep).join('/') : '';
      if (!this.isFile) onChange(changed);
      else if (changed === name || changed === '') onChange('');
    });
    // A watched folder that goes away ends the watch quietly; the push already copied what it could.
    watcher.on('error', () => watcher.close());
    return { close: () => watcher.close() };
  }
}

// Files under `<home>/state` (launch records, reminders, forgotten instances): when the folder
// itself cannot be used, the user gets one line naming it and the fix for that case, not errno text.
import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as z from 'zod';
import { CloudRigError } from '../../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { readJsonFile } from './json-file.js';

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The error for a failed read or write of `file` in the state folder: a folder that is a file, or
 * that CloudRig may not write, becomes a CloudRigError with its own fix; anything else is returned as it was.
 */
export function stateFolderError(file: string, error: unknown): unknown {
  const dir = dirname(file);
  const code = (error as NodeJS.ErrnoException).code;
  if ((code === 'ENOTDIR' || code === 'EEXIST') && !isDirectory(dir)) {
    return new CloudRigError('HomeUnusable', `${dir} is a file, not a folder, so CloudRig cannot keep its state there.`,
      { action: 'move-file-away', path: dir });
  }
  if (code === 'EROFS') {
    return new CloudRigError('HomeUnusable', `${dir} is on a read-only file system, so CloudRig cannot keep its state there.`,
      { action: 'choose-home', problem: 'unusable', suggested: null });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new CloudRigError('HomeUnusable', `${dir} is read-only for you, so CloudRig cannot keep its state there.`,
      { action: 'fix-access', path: dir, problem: 'permission', folder: true });
  }
  return error;
}

/** `readJsonFile` for a file in the state folder (null when missing or damaged; an unusable folder is a clear error). */
export async function readStateJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  try {
    return await readJsonFile(path, schema);
  } catch (error) {
    throw stateFolderError(path, error);
  }
}

/** `writeFileAtomic` for a file in the state folder (an unusable folder is a clear error). */
export async function writeStateFile(path: string, data: string): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (error) {
    throw stateFolderError(path, error);
  }
}

/**
 * One record per workstation as `<home>/state/<workstation>.<kind>.json`, written atomically: a
 * damaged record reads as none, and an unusable state folder is a clear error on every step.
 */
export class WorkstationRecords<S extends z.ZodType> {
  constructor(private readonly home: string, private readonly kind: string, private readonly schema: S) {}

  /** Where a workstation's record lives. */
  pathOf(workstation: string): string {
    return join(this.home, 'state', `${workstation}.${this.kind}.json`);
  }

  get(workstation: string): Promise<z.infer<S> | null> {
    return readStateJson(this.pathOf(workstation), this.schema);
  }

  put(workstation: string, record: z.infer<S>): Promise<void> {
    return writeStateFile(this.pathOf(workstation), `${JSON.stringify(record, null, 2)}\n`);
  }

  async clear(workstation: string): Promise<void> {
    try {
      await rm(this.pathOf(workstation), { force: true });
    } catch (error) {
      throw stateFolderError(this.pathOf(workstation), error);
    }
  }
}

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { LaunchLedger, LaunchRecord } from '../../core/ports.js';
import { readStateJson, stateFolderError, writeStateFile } from './state-files.js';

const RecordSchema = z.object({
  clientToken: z.string().min(1),
  requestedAt: z.number(),
  instanceId: z.string().nullable(),
});

/** Launch records as `<home>/state/<workstation>.launch.json`, written atomically. */
export class FileLaunchLedger implements LaunchLedger {
  constructor(private readonly home: string) {}

  /** Where a workstation's record lives. */
  pathOf(workstation: string): string {
    return join(this.home, 'state', `${workstation}.launch.json`);
  }

  async get(workstation: string): Promise<LaunchRecord | null> {
    // A damaged record is only a cache: AWS tags still find the instance.
    return readStateJson(this.pathOf(workstation), RecordSchema);
  }

  async put(workstation: string, record: LaunchRecord): Promise<void> {
    await writeStateFile(this.pathOf(workstation), `${JSON.stringify(record, null, 2)}\n`);
  }

  async clear(workstation: string): Promise<void> {
    try {
      await rm(this.pathOf(workstation), { force: true });
    } catch (error) {
      throw stateFolderError(this.pathOf(workstation), error);
    }
  }
}

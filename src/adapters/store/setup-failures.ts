import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { ErrorInfoSchema } from '../../shared/errors.js';
import type { SetupFailureRecord, SetupFailures } from '../../core/ports.js';
import { writeFileAtomic } from './atomic-file.js';
import { readJsonFile } from './json-file.js';

const RecordSchema = z.object({ instanceId: z.string().min(1), failure: ErrorInfoSchema });

/** The last setup failure of each workstation as `<home>/state/<workstation>.setup.json`, written atomically. */
export class FileSetupFailures implements SetupFailures {
  constructor(private readonly home: string) {}

  /** Where a workstation's record lives. */
  pathOf(workstation: string): string {
    return join(this.home, 'state', `${workstation}.setup.json`);
  }

  async get(workstation: string): Promise<SetupFailureRecord | null> {
    // A damaged record reads as none: the next follow of the setup writes it again.
    return readJsonFile(this.pathOf(workstation), RecordSchema);
  }

  async put(workstation: string, record: SetupFailureRecord | null): Promise<void> {
    if (record === null) await rm(this.pathOf(workstation), { force: true });
    else await writeFileAtomic(this.pathOf(workstation), `${JSON.stringify(record, null, 2)}\n`);
  }
}

import * as z from 'zod';
import { ErrorInfoSchema } from '../../shared/errors.js';
import type { SetupFailureRecord, SetupFailures } from '../../core/ports.js';
import { WorkstationRecords } from './state-files.js';

const RecordSchema = z.object({ instanceId: z.string().min(1), failure: ErrorInfoSchema });

/** The last setup failure of each workstation as `<home>/state/<workstation>.setup.json`, written atomically. */
export class FileSetupFailures implements SetupFailures {
  private readonly records: WorkstationRecords<typeof RecordSchema>;

  constructor(home: string) {
    this.records = new WorkstationRecords(home, 'setup', RecordSchema);
  }

  /** Where a workstation's record lives. */
  pathOf(workstation: string): string {
    return this.records.pathOf(workstation);
  }

  get(workstation: string): Promise<SetupFailureRecord | null> {
    // A damaged record reads as none: the next follow of the setup writes it again.
    return this.records.get(workstation);
  }

  put(workstation: string, record: SetupFailureRecord | null): Promise<void> {
    return record === null ? this.records.clear(workstation) : this.records.put(workstation, record);
  }
}

import * as z from 'zod';
import type { LaunchLedger, LaunchRecord } from '../../core/ports.js';
import { WorkstationRecords } from './state-files.js';

const RecordSchema = z.object({
  clientToken: z.string().min(1),
  requestedAt: z.number(),
  instanceId: z.string().nullable(),
});

/** Launch records as `<home>/state/<workstation>.launch.json`, written atomically. */
export class FileLaunchLedger implements LaunchLedger {
  private readonly records: WorkstationRecords<typeof RecordSchema>;

  constructor(home: string) {
    this.records = new WorkstationRecords(home, 'launch', RecordSchema);
  }

  /** Where a workstation's record lives. */
  pathOf(workstation: string): string {
    return this.records.pathOf(workstation);
  }

  get(workstation: string): Promise<LaunchRecord | null> {
    // A damaged record is only a cache: AWS tags still find the instance.
    return this.records.get(workstation);
  }

  put(workstation: string, record: LaunchRecord): Promise<void> {
    return this.records.put(workstation, record);
  }

  clear(workstation: string): Promise<void> {
    return this.records.clear(workstation);
  }
}

import { join } from 'node:path';
import * as z from 'zod';
import { INITIAL_FORGOTTEN_STATE, type ForgottenState, type ForgottenStore } from '../../core/app/forgotten-watch.js';
import { readStateJson, writeStateFile } from './state-files.js';

const ForgottenFileSchema = z.object({
  version: z.literal(1),
  reported: z.array(z.string()),
  dismissed: z.array(z.string()),
});

/**
 * The forgotten-instance watch's memory as `<home>/state/forgotten.json`, written atomically:
 * which foreign instances were reported, and which the user never wants to hear about again. A
 * damaged file reads as nothing reported (an instance may be reported once more, never hidden).
 */
export class FileForgottenStore implements ForgottenStore {
  constructor(private readonly home: string) {}

  get path(): string {
    return join(this.home, 'state', 'forgotten.json');
  }

  async read(): Promise<ForgottenState> {
    const file = await readStateJson(this.path, ForgottenFileSchema);
    return file ? { reported: file.reported, dismissed: file.dismissed } : INITIAL_FORGOTTEN_STATE;
  }

  async write(state: ForgottenState): Promise<void> {
    const file = { version: 1, reported: state.reported, dismissed: state.dismissed };
    await writeStateFile(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}

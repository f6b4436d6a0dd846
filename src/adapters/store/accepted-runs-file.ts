import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshTarget } from '../../core/ports.js';
import type { AcceptedRuns } from '../../core/ssh-readiness.js';
import { writeFileAtomic } from './atomic-file.js';

/** What is kept per workstation: the run, and the exact target its key was accepted on. */
interface AcceptedRun {
  readonly run: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly keyPath: string;
}

type Records = Record<string, AcceptedRun>;

/** `<home>/state/ssh-accepted.json`. */
export function acceptedRunsPath(home: string): string {
  return join(home, 'state', 'ssh-accepted.json');
}

function parse(text: string): Records {
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const records: Records = {};
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const e = entry as Partial<AcceptedRun> | null;
    if (e && typeof e.run === 'string' && typeof e.host === 'string' && typeof e.port === 'number' && typeof e.user === 'string' && typeof e.keyPath === 'string') {
      records[name] = { run: e.run, host: e.host, port: e.port, user: e.user, keyPath: e.keyPath };
    }
  }
  return records;
}

/**
 * The address of the run last accepted for `workstation` (or for the only one recorded), read
 * synchronously with nothing but node:fs: `rig status` uses it to start a banner probe before its
 * AWS code has loaded. The core decides later whether that answer counts.
 */
export function lastAcceptedAddress(home: string, workstation?: string): { host: string; port: number } | null {
  try {
    const records = parse(readFileSync(acceptedRunsPath(home), 'utf8'));
    const names = Object.keys(records);
    const record = workstation !== undefined ? records[workstation] : names.length === 1 ? records[names[0]!] : undefined;
    return record ? { host: record.host, port: record.port } : null;
  } catch {
    return null;
  }
}

/** The accepted runs, one JSON file in the home shared by the app and `rig`, written atomically. */
export class FileAcceptedRuns implements AcceptedRuns {
  private readonly path: string;

  constructor(home: string) {
    this.path = acceptedRunsPath(home);
  }

  private async read(): Promise<Records> {
    try {
      return parse(await readFile(this.path, 'utf8'));
    } catch {
      return {};
    }
  }

  async has(workstation: string, run: string, target: SshTarget): Promise<boolean> {
    const record = (await this.read())[workstation];
    return record !== undefined && record.run === run && record.host === target.host && record.port === target.port
      && record.user === target.user && record.keyPath === target.keyPath;
  }

  async add(workstation: string, run: string, target: SshTarget): Promise<void> {
    try {
      const records = await this.read();
      records[workstation] = { run, host: target.host, port: target.port, user: target.user, keyPath: target.keyPath };
      await writeFileAtomic(this.path, `${JSON.stringify(records, null, 2)}\n`);
    } catch {
      // Unrecorded, the next process proves the key again with a full probe: slower, not wrong.
    }
  }
}

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
 * The ssh target of the run last accepted for `workstation` (or for the only one recorded), read
 * synchronously with nothing but node:fs: `rig status` starts its probe of it before its AWS code
 * has loaded. The core decides later whether that answer counts (same run, same target).
 */
export function lastAcceptedTarget(home: string, workstation?: string): SshTarget | null {
  try {
    const records = parse(readFileSync(acceptedRunsPath(home), 'utf8'));
    const names = Object.keys(records);
    const name = workstation !== undefined ? workstation : names.length === 1 ? names[0]! : undefined;
    const record = name === undefined ? undefined : records[name];
    if (name === undefined || record === undefined) return null;
    const instanceId = record.run.split('@')[0] || null;
    return { host: record.host, port: record.port, user: record.user, keyPath: record.keyPath, knownHostsPath: join(home, 'known_hosts', name), workstation: name, instanceId };
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

  async add(workstation: string, run: string, target: SshTarget): Promise<void> {
    try {
      const records = await this.read();
      records[workstation] = { run, host: target.host, port: target.port, user: target.user, keyPath: target.keyPath };
      await writeFileAtomic(this.path, `${JSON.stringify(records, null, 2)}\n`);
    } catch {
      // Unrecorded, the next process proves the key again with a full probe: slower, not wrong.
    }
  }

  async forget(workstation: string): Promise<void> {
    try {
      const records = await this.read();
      if (!(workstation in records)) return;
      delete records[workstation];
      await writeFileAtomic(this.path, `${JSON.stringify(records, null, 2)}\n`);
    } catch {
      // A record left behind names a target no workstation has: the early probe it starts is never used.
    }
  }
}

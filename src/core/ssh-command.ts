import type { InstanceFacts, WorkstationSpec } from '../shared/workstation.js';
import type { SshTarget } from './ports.js';

/** Where ssh should connect: the override, else the public DNS name, else the public IP. */
export function sshTargetOf(
  spec: WorkstationSpec,
  instance: InstanceFacts | null,
  keyPath: string,
  knownHostsPath: string,
): SshTarget | null {
  const host = spec.sshHost ?? instance?.publicDns ?? instance?.publicIp ?? null;
  if (!host) return null;
  return { host, port: spec.sshPort, user: spec.sshUser, keyPath, knownHostsPath };
}

/** The argv for the system ssh (without the leading `ssh`). */
export function sshArgs(target: SshTarget, command: readonly string[] = []): string[] {
  const args = ['-i', target.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=accept-new',
    '-o', `UserKnownHostsFile=${target.knownHostsPath}`];
  if (target.port !== 22) args.push('-p', String(target.port));
  args.push(`${target.user}@${target.host}`);
  if (command.length > 0) args.push('--', ...command);
  return args;
}

/** Quotes one word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The ssh command line a user can paste into a shell. */
export function sshCommandLine(target: SshTarget): string {
  return ['ssh', ...sshArgs(target)].map(shellQuote).join(' ');
}

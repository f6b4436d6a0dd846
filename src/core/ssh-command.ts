import { isSshHost, isSshUser, type InstanceFacts, type WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import { hasControlCharacters } from '../shared/untrusted-text.js';
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
  return {
    host, port: spec.sshPort, user: spec.sshUser, keyPath, knownHostsPath, workstation: spec.name, instanceId: instance?.instanceId ?? null,
    ...(instance?.clientToken ? { launchToken: instance.clientToken } : {}),
  };
}

/**
 * A file path as one ssh option value. ssh splits `-o` values on whitespace and unquotes them
 * (backslash escapes `\`, quotes and spaces), and expands `%x` tokens (`%%` is a `%`), `${VAR}` and
 * `~` in file options: escape what can be escaped, refuse what cannot. No double quotes are added, so
 * the value survives Windows launchers that re-join arguments without escaping quotes.
 */
export function sshPathValue(path: string): string {
  return sshIdentityPath(path).replace(/[\\'" ]/g, (char) => `\\${char}`);
}

/** A file path as the argument of `-i`: token-expanded by ssh like option values, but never split. */
function sshIdentityPath(path: string): string {
  if (hasControlCharacters(path) || path.includes('${') || path.startsWith('~')) {
    throw new CloudRigError('UnusablePath', `ssh cannot be given the path ${JSON.stringify(path)} (it has a control character, \${ or a leading ~).`,
      { action: 'move-home' });
  }
  return path.replaceAll('%', '%%');
}

/**
 * The argv for the system ssh (without the leading `ssh`). Options first; the user and host are
 * checked again here, so no value (a hand-edited settings file, an old spec) can become an option.
 * The host key must match the pin in the workstation's known_hosts (written by CloudRig's probe).
 */
export function sshArgs(target: SshTarget, command: readonly string[] = []): string[] {
  if (!isSshUser(target.user)) {
    throw new CloudRigError('InvalidInput', `"${target.user}" is not a login name ssh can be given.`,
      { action: 'correct-input', field: 'sshUser', hint: 'use the image\'s user name, e.g. ubuntu.' });
  }
  if (!isSshHost(target.host)) {
    throw new CloudRigError('InvalidInput', `"${target.host}" is not a host name or IP address.`,
      { action: 'correct-input', field: 'sshHost', hint: 'pass a host name or address, e.g. 203.0.113.7.' });
  }
  const args = ['-i', sshIdentityPath(target.keyPath), '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${sshPathValue(target.knownHostsPath)}`];
  if (target.port !== 22) args.push('-p', String(target.port));
  // An IPv6 literal needs no brackets in argv: ssh takes the whole word as the host.
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

import type { InstanceFacts, WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import type { Fix, InputField } from '../shared/errors.js';
import { hasControlCharacters } from '../shared/untrusted-text.js';
import type { SshTarget } from './ports.js';
import { sshArgs, sshCommandLine } from './ssh-command.js';
import { byText } from '../shared/text-order.js';

/** Seconds between keep-alives, so a NAT or a sleeping laptop does not silently drop the session. */
export const SERVER_ALIVE_INTERVAL_S = 30;

/** The top-level domain that never resolves (RFC 6761): where a workstation without an address points. */
const NO_ADDRESS_DOMAIN = 'not-running.cloudrig.invalid';

/** One workstation's `Host` block in CloudRig's ssh config. */
export interface SshHostEntry {
  /** The name the user types: `ssh <alias>`. */
  readonly alias: string;
  /** The instance's address or the ssh host override; null while it has none (stopped, absent). */
  readonly hostName: string | null;
  readonly user: string;
  readonly port: number;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** The known_hosts file has a key for this host: refuse any other (else accept the first one). */
  readonly pinned: boolean;
}

const FIX_PATH: Fix = { action: 'move-home' };
/** Change the workstation's value to a plain one. */
const fixSpec = (field: InputField): Fix => ({ action: 'correct-input', field, hint: 'use a value made of letters, digits, dots and dashes.' });

function refuse(what: string, value: string, why: string, fix: Fix): CloudRigError {
  return new CloudRigError('UnsafeSshConfigValue', `Cannot write ${what} ${JSON.stringify(value)} into an ssh config: ${why}.`, fix);
}

/** An alias ssh matches literally: no pattern characters, whitespace or quotes. */
export function validateAlias(alias: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(alias)) throw refuse('the Host alias', alias, 'only letters, digits and dashes are allowed', fixSpec('name'));
  return alias;
}

/** A DNS name, IPv4 or IPv6 literal: nothing ssh would expand (%), split (space) or read as an option (-). */
export function validateHostName(host: string): string {
  if (!/^[a-z0-9._:-]{1,253}$/i.test(host) || host.startsWith('-')) {
    throw refuse('the HostName', host, 'only letters, digits, dots, dashes and colons are allowed, not starting with a dash', fixSpec('sshHost'));
  }
  return host;
}

/** A login name as POSIX systems allow it. */
export function validateUser(user: string): string {
  if (!/^[a-z0-9_][a-z0-9._-]{0,63}$/i.test(user)) throw refuse('the User', user, 'a login name is letters, digits, dots, dashes and underscores', fixSpec('sshUser'));
  return user;
}

function validatePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw refuse('the Port', String(port), 'a port is a whole number from 1 to 65535', fixSpec('sshPort'));
  return port;
}

/**
 * A path as one ssh_config argument. ssh splits arguments on whitespace unless quoted, and
 * expands `%x` and `${VAR}` in IdentityFile and UserKnownHostsFile: so the path is wrapped in
 * double quotes, `%` is doubled, and what no quoting can carry across OpenSSH versions (a double
 * quote, a backslash, a control character, `${`) is refused.
 */
export function quotePath(path: string, what = 'path', options: { percent?: boolean } = {}): string {
  if (!/^(\/|[a-z]:\/)/i.test(path)) throw refuse(`the ${what}`, path, 'it must be an absolute path with / separators', FIX_PATH);
  if (hasControlCharacters(path)) throw refuse(`the ${what}`, path, 'it contains a control character', FIX_PATH);
  if (/["\\]/.test(path)) throw refuse(`the ${what}`, path, 'it contains a double quote or a backslash', FIX_PATH);
  if (path.includes('${')) throw refuse(`the ${what}`, path, 'ssh would expand "${" as an environment variable', FIX_PATH);
  return `"${options.percent === false ? path : path.replaceAll('%', '%%')}"`;
}

/** The entry for one workstation: where ssh goes now, with which key and which known_hosts. */
export function sshHostEntryOf(
  spec: WorkstationSpec,
  instance: InstanceFacts | null,
  paths: { readonly identityFile: string; readonly knownHostsFile: string },
  pinned: boolean,
): SshHostEntry {
  const running = instance !== null && instance.state !== 'terminated' && instance.state !== 'shutting-down';
  const address = running ? instance.publicDns ?? instance.publicIp ?? null : null;
  return {
    alias: spec.name,
    hostName: running ? spec.sshHost ?? address : null,
    user: spec.sshUser,
    port: spec.sshPort,
    identityFile: paths.identityFile,
    knownHostsFile: paths.knownHostsFile,
    pinned,
  };
}

/** The HostName written for a workstation with no address: a name that can never resolve, saying why. */
export function noAddressHostName(alias: string): string {
  return `${alias}.${NO_ADDRESS_DOMAIN}`;
}

/**
 * CloudRig's ssh config file. Every value is validated; an unsafe one throws instead of being written.
 * `header`: the comment lines at its top (without `# `), worded by whoever writes the file.
 */
export function renderSshConfig(entries: readonly SshHostEntry[], header: readonly string[] = []): string {
  const lines = header.map((line) => `# ${line.replace(/[\r\n]/g, ' ')}`);
  for (const entry of [...entries].sort((a, b) => byText(a.alias, b.alias))) {
    const alias = validateAlias(entry.alias);
    lines.push(
      '',
      `Host ${alias}`,
      `  HostName ${entry.hostName === null ? noAddressHostName(alias) : validateHostName(entry.hostName)}`,
      `  User ${validateUser(entry.user)}`,
      `  Port ${validatePort(entry.port)}`,
      `  IdentityFile ${quotePath(entry.identityFile, 'IdentityFile path')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${quotePath(entry.knownHostsFile, 'UserKnownHostsFile path')}`,
      `  StrictHostKeyChecking ${entry.pinned ? 'yes' : 'accept-new'}`,
      `  ServerAliveInterval ${SERVER_ALIVE_INTERVAL_S}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The HostName of each block of a config CloudRig rendered (for workstations this process has not looked at). */
export function hostNamesIn(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let alias: string | null = null;
  for (const line of text.split('\n')) {
    const host = /^Host (\S+)$/.exec(line.trimEnd());
    if (host) alias = host[1]!;
    const name = /^\s+HostName (\S+)$/.exec(line.trimEnd());
    if (name && alias !== null && !name[1]!.endsWith(`.${NO_ADDRESS_DOMAIN}`)) found.set(alias, name[1]!);
  }
  return found;
}

/** The one line CloudRig adds to the user's ssh config. Include takes a glob, so glob characters are refused. */
export function includeLine(configPath: string): string {
  if (/[*?[\]]/.test(configPath)) throw refuse('the Include path', configPath, 'ssh reads Include paths as globs, so *, ? and [ ] cannot be written', FIX_PATH);
  return `Include ${quotePath(configPath, 'Include path', { percent: false })}`;
}

/** Lines of a text with their endings, so that joining them gives the text back exactly. */
function linesWithEndings(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function isLine(lineWithEnding: string, line: string): boolean {
  return lineWithEnding.replace(/\r?\n$/, '') === line;
}

/** Whether the user's config has the line. */
export function hasIncludeLine(text: string, line: string): boolean {
  return linesWithEndings(text).some((l) => isLine(l, line));
}

/** The user's config with the line first (ssh takes the first value it reads); unchanged when it is there. */
export function withIncludeLine(text: string, line: string): string {
  if (hasIncludeLine(text, line)) return text;
  const eol = /^[^\n]*\r\n/.test(text) ? '\r\n' : '\n';
  return `${line}${eol}${text}`;
}

/** The user's config without the line; every other byte as it was. */
export function withoutIncludeLine(text: string, line: string): string {
  return linesWithEndings(text).filter((l) => !isLine(l, line)).join('');
}

/**
 * The ssh command CloudRig shows (status, popover, Copy): `ssh <name>` once the user's ssh
 * config includes CloudRig's, else the full command line.
 */
export function displayedSshCommand(name: string, target: SshTarget, includeInstalled: boolean): string {
  return includeInstalled ? `ssh ${validateAlias(name)}` : sshCommandLine(target);
}

/** The argv for a terminal CloudRig opens (the app's Open terminal): `ssh <name>` once included, like the command shown. */
export function displayedSshArgv(name: string, target: SshTarget, includeInstalled: boolean): string[] {
  return includeInstalled ? ['ssh', validateAlias(name)] : ['ssh', ...sshArgs(target)];
}

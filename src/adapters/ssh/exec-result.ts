import type { ClientChannel } from 'ssh2';
import { CloudRigError, toErrorInfo } from '../../core/errors.js';
import type { SshTarget } from '../../core/ports.js';

/** What a command run over ssh printed, and how it exited. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The workstation's name where there is one, else user@host:port. */
export function sshPeerName(target: SshTarget): string {
  return target.workstation ? `workstation ${target.workstation}` : `${target.user}@${target.host}:${target.port}`;
}

/** The command ran past its deadline (the caller closes its channel or connection). */
export function commandTimedOut(target: SshTarget, timeoutMs: number): CloudRigError {
  return new CloudRigError('SshCommandTimeout',
    `The command on ${sshPeerName(target)} did not finish within ${Math.round(timeoutMs / 100) / 10} s.`,
    { action: 'check-workstation-answers', name: target.workstation ?? null });
}

/** The connection went away while a command or channel needed it. */
export function connectionLost(target: SshTarget, why: string): CloudRigError {
  return new CloudRigError('SshFailed', `The ssh connection to ${sshPeerName(target)} broke (${why}).`,
    { action: 'check-workstation-answers', name: target.workstation ?? null });
}

/** Gathers an exec channel's output and hands it to `done` when the channel closes. */
export function collectExecOutput(stream: ClientChannel, done: (result: ExecResult) => void): void {
  let stdout = '';
  let stderr = '';
  stream.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  stream.on('close', (code: number | null) => done({ code: code ?? 255, stdout, stderr }));
}

/** The connection could not be made (not a host key or private key problem: those are their own errors). */
export function connectFailed(target: SshTarget, error: unknown): CloudRigError {
  return new CloudRigError('SshFailed', `ssh to ${sshPeerName(target)} failed: ${toErrorInfo(error).message}.`,
    { action: 'check-workstation-answers', name: target.workstation ?? null });
}

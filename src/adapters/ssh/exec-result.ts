import type { ClientChannel } from 'ssh2';
import { CloudRigError, toErrorInfo } from '../../core/errors.js';
import type { SshTarget } from '../../core/ports.js';
import { EXEC_OUTPUT_MAX_BYTES } from '../../shared/limits.js';

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

/** A command's stream passed the cap: the command was ended and its output dropped. */
export function outputTooLarge(target: SshTarget, stream: 'stdout' | 'stderr', maxBytes: number): CloudRigError {
  const which = stream === 'stdout' ? 'its output' : 'its error output';
  return new CloudRigError('SshOutputTooLarge',
    `A command CloudRig ran on ${sshPeerName(target)} printed more than ${Math.round(maxBytes / 1024 / 1024)} MiB on ${which}; CloudRig ended it and read no further.`,
    { action: 'inspect-box-output', name: target.workstation ?? null, command: null });
}

/** One stream's bytes, kept whole until the channel closes (a character may span two chunks). */
class CappedBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;

  /** Adds `chunk`; false (and nothing kept) once the total passes `maxBytes`. */
  add(chunk: Buffer, maxBytes: number): boolean {
    this.bytes += chunk.length;
    if (this.bytes > maxBytes) {
      this.chunks = [];
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Gathers an exec channel's output and hands it to `done` when the channel closes. A stream that
 * passes `maxBytes` ends the command (a KILL signal where sshd takes one, then the channel closes,
 * so the box's writer gets SIGPIPE) and hands `done` an error instead: a box that prints without
 * end costs this computer at most `maxBytes` per stream.
 */
export function collectExecOutput(
  stream: ClientChannel,
  target: SshTarget,
  done: (result: ExecResult | CloudRigError) => void,
  maxBytes: number = EXEC_OUTPUT_MAX_BYTES,
): void {
  const stdout = new CappedBuffer();
  const stderr = new CappedBuffer();
  let over = false;
  const take = (buffer: CappedBuffer, which: 'stdout' | 'stderr') => (chunk: Buffer): void => {
    if (over || buffer.add(chunk, maxBytes)) return;
    over = true;
    try {
      stream.signal('KILL');
    } catch {
      // The channel may already be closing; closing it below ends the command all the same.
    }
    stream.close();
    done(outputTooLarge(target, which, maxBytes));
  };
  stream.on('data', take(stdout, 'stdout'));
  stream.stderr.on('data', take(stderr, 'stderr'));
  stream.on('close', (code: number | null) => {
    if (!over) done({ code: code ?? 255, stdout: stdout.text(), stderr: stderr.text() });
  });
}

/** The connection could not be made (not a host key or private key problem: those are their own errors). */
export function connectFailed(target: SshTarget, error: unknown): CloudRigError {
  return new CloudRigError('SshFailed', `ssh to ${sshPeerName(target)} failed: ${toErrorInfo(error).message}.`,
    { action: 'check-workstation-answers', name: target.workstation ?? null });
}

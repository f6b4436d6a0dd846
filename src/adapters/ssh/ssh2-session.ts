import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type ssh2 from 'ssh2';
import { CloudRigError } from '../../core/errors.js';
import type { SshTarget } from '../../core/ports.js';
import type { RemoteShell } from '../../core/app/stats.js';
import type { OpenTunnel, PortForwarder, TunnelSpec } from '../../core/app/tunnels.js';
import { connect } from './ssh2-client.js';
import { collectExecOutput, commandTimedOut, connectFailed, connectionLost, sshPeerName, type ExecResult } from './exec-result.js';

/** How often a kept-alive session pings the server (three unanswered pings end it). */
const KEEPALIVE_MS = 15_000;
/** How long checkNow() gives a connection that may have died unnoticed to run `true`. */
const CHECK_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 20_000;

/**
 * Runs `command` over `client`; `timeoutMs` bounds the run. The connection stays open: a failure
 * closes only the command's channel.
 */
export function execOver(client: ssh2.Client, target: SshTarget, command: string, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let channel: ssh2.ClientChannel | null = null;
    const finish = (result: ExecResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('close', onClose);
      if (result instanceof Error) {
        // The command's channel goes; the connection stays for the next use.
        channel?.close();
        reject(result);
      } else {
        resolve(result);
      }
    };
    const onClose = (): void => finish(connectionLost(target, 'closed by the other end'));
    const timer = setTimeout(() => finish(commandTimedOut(target, timeoutMs)), timeoutMs);
    client.on('close', onClose);
    client.exec(command, (error, stream) => {
      if (error) return finish(connectionLost(target, error.message));
      // Timed out while the channel was opening: it has no one to answer.
      if (settled) return stream.close();
      channel = stream;
      collectExecOutput(stream, target, finish);
    });
  });
}

/**
 * One kept-alive ssh2 connection to one workstation, shared by its tunnels, file copies and stats.
 * It connects on first use and again on the next use after it dropped; every connection checks the
 * host key against the workstation's pin (a mismatch is refused with a CloudRigError naming the
 * instance, and not retried). A reconnect first asks `beforeReconnect` (is the instance still the
 * workstation's?) and accepts only the key the first connection checked: never one taken on first
 * use, even when the pin is gone. A session refused that way has ended: every later use rejects.
 */
export class Ssh2Session implements RemoteShell {
  private connection: Promise<ssh2.Client> | null = null;
  private sftpChannel: Promise<ssh2.SFTPWrapper> | null = null;
  private closed = false;
  /** The host key of the session's first connection; every reconnect must present it. */
  private boundKey: string | null = null;
  /** Why the session ended for good, once it has. */
  private ended: CloudRigError | null = null;

  constructor(
    /** Where it connects; moveTo() changes it for the next connection. */
    public target: SshTarget,
    private readonly options: {
      readonly keepaliveMs?: number;
      readonly connectTimeoutMs?: number;
      /** Hears each new connection, once its host key checked out. */
      readonly onConnect?: (client: ssh2.Client) => void;
      /** Asked before each reconnect; a rejection with a CloudRigError `SessionEnded` ends the session. */
      readonly beforeReconnect?: () => Promise<void>;
      /** Hears that a connection dropped (not closed by close()). */
      readonly onDropped?: () => void;
      /** Hears, once, why the session ended for good. */
      readonly onEnded?: (error: CloudRigError) => void;
    } = {},
  ) {}

  /**
   * The workstation's sshd answers elsewhere now (a started instance's new public IP): the next
   * connection goes there, and must still present the key the session first connected with.
   */
  moveTo(host: string, port: number): void {
    if (host !== this.target.host || port !== this.target.port) this.target = { ...this.target, host, port };
  }

  /**
   * Asks the live connection to answer now, for when it may have died without a word (the laptop
   * slept, or moved to another network): one that does not run `true` within `timeoutMs` is ended,
   * and `onDropped` follows as after a keepalive timeout, which takes up to three keepalive
   * intervals. Nothing happens without a live connection: the next use connects anyway.
   */
  async checkNow(timeoutMs = CHECK_TIMEOUT_MS): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const client = await connection.catch(() => null);
    if (!client || this.connection !== connection) return;
    const answered = await execOver(client, this.target, 'true', timeoutMs).then(() => true, () => false);
    if (!answered && this.connection === connection) client.destroy();
  }

  /** Ends the session for good with `error` (its instance ended, or a reconnect met another key). */
  end(error: CloudRigError): void {
    if (this.ended || this.closed) return;
    this.ended = error;
    const connection = this.connection;
    this.connection = null;
    this.sftpChannel = null;
    void connection?.then((client) => client.destroy(), () => undefined);
    this.options.onEnded?.(error);
  }

  /** The live connection, connecting (again) when there is none. */
  client(): Promise<ssh2.Client> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.closed) return Promise.reject(new Error('the ssh session is closed'));
    if (this.connection) return this.connection;
    const reconnecting = this.boundKey !== null;
    const attempt = (reconnecting && this.options.beforeReconnect ? this.options.beforeReconnect() : Promise.resolve())
      .then(() => connect(this.target, this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, {
        keepaliveIntervalMs: this.options.keepaliveMs ?? KEEPALIVE_MS,
        ...(this.boundKey !== null ? { boundKey: this.boundKey } : {}),
      }))
      .then(({ client, presentedKey }) => {
        this.boundKey ??= presentedKey;
        const forget = (): void => {
          if (this.connection === attempt) {
            this.connection = null;
            this.sftpChannel = null;
          }
        };
        // A dropped connection (keepalive timeout, reset) is forgotten: the next use reconnects.
        client.on('close', forget);
        client.on('error', forget);
        client.once('close', () => {
          if (!this.closed && !this.ended) this.options.onDropped?.();
        });
        this.options.onConnect?.(client);
        return client;
      }, (error: unknown) => {
        this.connection = null;
        if (error instanceof CloudRigError) {
          // Its instance ended, or a reconnect met another key: no later use may try again.
          if (error.code === 'SessionEnded' || (reconnecting && error.code === 'HostKeyMismatch')) this.end(error);
          throw error;
        }
        throw connectFailed(this.target, error);
      });
    this.connection = attempt;
    return attempt;
  }

  /** Runs `command`; `timeoutMs` bounds the run. The connection stays open for the next use. */
  async exec(command: string, timeoutMs: number): Promise<ExecResult> {
    return execOver(await this.client(), this.target, command, timeoutMs);
  }

  /** A channel to host:port as the workstation sees it (sshd's direct-tcpip). */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    const client = await this.client();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error) reject(new CloudRigError('TunnelRefused', `${sshPeerName(this.target)} could not reach ${host}:${port} (${error.message}).`,
          { action: 'check-remote-port', name: this.target.workstation ?? null, port }));
        else resolve(channel);
      });
    });
  }

  /** The session's sftp channel, opened once per connection. */
  sftp(): Promise<ssh2.SFTPWrapper> {
    if (this.sftpChannel) return this.sftpChannel;
    const opening = this.client().then((client) => new Promise<ssh2.SFTPWrapper>((resolve, reject) => {
      client.sftp((error, sftp) => {
        if (error) {
          reject(new CloudRigError('SftpFailed', `${sshPeerName(this.target)} refused sftp (${error.message}).`,
            { action: 'enable-sftp' }));
        } else {
          sftp.on('close', () => {
            if (this.sftpChannel === opening) this.sftpChannel = null;
          });
          resolve(sftp);
        }
      });
    }));
    this.sftpChannel = opening;
    opening.catch(() => {
      if (this.sftpChannel === opening) this.sftpChannel = null;
    });
    return opening;
  }

  /** Ends the connection; the session cannot be used again. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    this.sftpChannel = null;
    const client = await connection?.catch(() => null);
    client?.end();
  }
}

/** Local forwards over a session: each accepted connection on this computer's loopback becomes one channel. */
export class SshPortForwarder implements PortForwarder {
  constructor(private readonly session: Ssh2Session, private readonly onError: (error: unknown) => void = () => undefined) {}

  async open(spec: TunnelSpec): Promise<OpenTunnel> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.pause();
      this.session.forwardOut(spec.remoteHost, spec.remotePort).then((channel) => {
        channel.on('error', () => socket.destroy());
        socket.on('close', () => channel.destroy());
        channel.on('close', () => socket.destroy());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      }, (error: unknown) => {
        socket.destroy();
        this.onError(error);
      });
    });
    // Loopback only: a forward never exposes the workstation to the laptop's network.
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE'
          ? new CloudRigError('PortInUse', `Port ${spec.localPort} is already in use on this computer.`,
            { action: 'use-another-port', localPort: spec.localPort, remotePort: spec.remotePort, reopening: false })
          : new CloudRigError('TunnelFailed', `Could not listen on 127.0.0.1:${spec.localPort}: ${error.message}.`, { action: 'use-another-port', localPort: spec.localPort, remotePort: null, reopening: false }));
      });
      server.listen(spec.localPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const localPort = typeof address === 'object' && address ? address.port : spec.localPort;
    return {
      spec,
      localPort,
      close: () => new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    };
  }
}

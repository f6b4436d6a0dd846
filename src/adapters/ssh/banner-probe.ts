import { connect } from 'node:net';
import type { ProbeResult, SshTarget } from '../../core/ports.js';
import type { SshBannerProbe } from '../../core/ssh-readiness.js';

/** How long an answer started early (`prefetch`) may stand in for a probe asked for later. */
const PREFETCH_FRESH_MS = 5_000;
/** RFC 4253 §4.2: the server may send other lines first; it must not take more than this. */
const MAX_PREAMBLE_BYTES = 8_192;

/**
 * Connects over TCP and reads the server's identification line (`SSH-2.0-…`, RFC 4253 §4.2), then
 * hangs up. Nothing is sent, so nothing about the user or the key reaches the server.
 */
export function readSshBanner(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return startBannerRead(host, port, timeoutMs).result;
}

/** A banner read in flight; `unref` lets the process exit without waiting for it, `ref` undoes that. */
interface BannerRead {
  readonly result: Promise<ProbeResult>;
  ref(): void;
  unref(): void;
}

function startBannerRead(host: string, port: number, timeoutMs: number): BannerRead {
  let handles: { ref(): unknown; unref(): unknown }[] = [];
  const result = new Promise<ProbeResult>((resolve) => {
    let received = '';
    let settled = false;
    const socket = connect({ host, port });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no SSH banner within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const lines = received.split('\n');
      for (const line of lines.slice(0, -1)) {
        if (line.startsWith('SSH-2.0-') || line.startsWith('SSH-1.99-')) return finish({ ok: true });
        if (line.startsWith('SSH-')) return finish({ ok: false, reason: `the server speaks an unsupported SSH version (${line.trim().slice(0, 40)})` });
      }
      if (received.length > MAX_PREAMBLE_BYTES) finish({ ok: false, reason: 'the server does not answer with an SSH banner' });
    });
    socket.on('error', (error) => finish({ ok: false, reason: error.message }));
    socket.on('close', () => finish({ ok: false, reason: 'the connection closed before the SSH banner' }));
    handles = [socket, timer];
  });
  return {
    result,
    ref: () => handles.forEach((handle) => handle.ref()),
    unref: () => handles.forEach((handle) => handle.unref()),
  };
}

/**
 * The banner probe, with an optional head start: `prefetch` begins reading a banner before the
 * caller knows whether it will need one (`rig status` starts it while its code loads), and a
 * `probe` of the same address soon after takes that answer instead of connecting again.
 */
export class TcpBannerProbe implements SshBannerProbe {
  private readonly early = new Map<string, { readonly at: number; readonly read: BannerRead }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts reading the banner at host:port now, for a probe of that address that may follow. */
  prefetch(host: string, port: number, timeoutMs: number): void {
    const read = startBannerRead(host, port, timeoutMs);
    // Unless a probe takes it, it must not keep the process alive (a stale address may never answer).
    read.unref();
    this.early.set(`${host}:${port}`, { at: this.now(), read });
  }

  probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult> {
    const key = `${target.host}:${target.port}`;
    const early = this.early.get(key);
    this.early.delete(key);
    if (early && this.now() - early.at <= PREFETCH_FRESH_MS) {
      early.read.ref();
      return early.read.result;
    }
    return readSshBanner(target.host, target.port, timeoutMs);
  }
}

import type { PublicIp } from '../../core/ports.js';

/** Asks a checkip-style URL (one IPv4 address as text) for the caller's public address. */
export class HttpPublicIp implements PublicIp {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async lookup(): Promise<string> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`${this.url} answered HTTP ${response.status}`);
    const text = (await response.text()).trim();
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) throw new Error(`${this.url} did not answer with an IPv4 address`);
    return text;
  }
}

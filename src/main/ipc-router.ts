import {
  isRequestChannel,
  requestChannels,
  type ParsedPayloadOf,
  type RequestChannel,
  type Responses,
  type Result,
} from '../shared/contract.js';
import { toErrorInfo } from '../core/app/app-face.js';
import type { ErrorCode } from '../shared/errors.js';

/** The frame an IPC message came from, as Electron (or Playwright) reports it. */
export interface Sender {
  readonly url: string;
  /** True for the window's top frame; messages from sub-frames are refused. */
  readonly isMainFrame: boolean;
}

/** One handler per channel; it receives the payload already parsed by the contract's schema. */
export type Handlers = {
  readonly [C in RequestChannel]: (payload: ParsedPayloadOf<C>) => Promise<Responses[C]> | Responses[C];
};

/** The plain `channel → handler` object bound to ipcMain in the app and to a page in e2e tests. */
export interface Router {
  readonly channels: readonly RequestChannel[];
  handle(channel: unknown, sender: Sender, payload: unknown): Promise<Result<unknown>>;
}

/** Origin of a URL including custom schemes (`app://cloudrig`), whose WHATWG origin is "null". */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** A sender check that admits only the top frame of pages from `origin`. */
export function senderFrom(origin: string): (sender: Sender) => boolean {
  return (sender) => sender.isMainFrame && originOf(sender.url) === origin;
}

function refused(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message, fix: { action: 'restart-app' } } };
}

/**
 * Builds the router. Every message is checked in this order (Electron security checklist §17,
 * "Validate the sender of all IPC messages"): a known channel, a trusted sender frame, a payload
 * that passes the channel's schema. Handlers' errors come back as values with their fix.
 */
export function createRouter(handlers: Handlers, trusted: (sender: Sender) => boolean, log: (line: string) => void = () => undefined): Router {
  const channels = Object.keys(requestChannels) as RequestChannel[];
  return {
    channels,
    async handle(channel, sender, payload) {
      if (!isRequestChannel(channel)) {
        log(`ipc: refused unknown channel ${String(channel).slice(0, 64)}`);
        return refused('UnknownChannel', 'That request is not part of the app.');
      }
      if (!trusted(sender)) {
        log(`ipc: refused ${channel} from untrusted frame ${sender.url.slice(0, 128)}`);
        return refused('UntrustedSender', 'The request did not come from the CloudRig window.');
      }
      const parsed = requestChannels[channel].payload.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return {
          ok: false,
          error: {
            code: 'InvalidPayload',
            message: `Invalid ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'not accepted'}.`,
            fix: { action: 'correct-form' },
          },
        };
      }
      try {
        const handler = handlers[channel] as (input: unknown) => unknown;
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },
  };
}

import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** Whether the user asked for the debug log (`rig --debug` sets it for the whole process). */
export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.CLOUDRIG_DEBUG === '1' || env.CLOUDRIG_DEBUG === 'true';
}

type Write = (line: string) => void;
const toStderr: Write = (line) => {
  process.stderr.write(`${line}\n`);
};

/** What the SDK's logger middleware hands over; only names and numbers are ever printed from it. */
interface SdkLogRecord {
  readonly commandName?: string;
  readonly metadata?: { readonly httpStatusCode?: number; readonly attempts?: number; readonly totalRetryDelay?: number };
  readonly error?: { readonly name?: string; readonly code?: string; readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number } };
}

/**
 * The SDK client `logger` for the debug log: one line per AWS call with its action, region, status
 * and attempts. Inputs, outputs, credentials and signatures are never printed (the record carries
 * inputs and outputs; this logger does not read them).
 */
export function awsDebugLogger(region: string, write: Write = toStderr) {
  const line = (record: unknown, failed: boolean): void => {
    if (typeof record !== 'object' || record === null || !('commandName' in record)) return;
    const { commandName, metadata, error } = record as SdkLogRecord;
    const meta = error?.$metadata ?? metadata;
    const outcome = failed ? `failed ${error?.code ?? error?.name ?? 'error'}` : 'ok';
    const action = String(commandName).replace(/Command$/, '');
    write(`debug: aws ${region} ${action} ${outcome} status=${meta?.httpStatusCode ?? '-'} attempts=${meta?.attempts ?? 1}` +
      (metadata?.totalRetryDelay ? ` retryDelay=${metadata.totalRetryDelay}ms` : ''));
  };
  return {
    debug: () => undefined,
    info: (record: unknown) => line(record, false),
    warn: () => undefined,
    error: (record: unknown) => line(record, true),
  };
}

let watching = false;

/**
 * Logs each HTTP request the process makes (method, host, status, time taken), so retries and
 * slow answers show with their timing. Headers and bodies (signatures, user data) are not printed.
 */
export function watchHttpForDebug(write: Write = toStderr): void {
  if (watching) return;
  watching = true;
  const started = new WeakMap<ClientRequest, number>();
  subscribe('http.client.request.start', (message) => {
    started.set((message as { request: ClientRequest }).request, performance.now());
  });
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const since = started.get(request);
    const ms = since === undefined ? '?' : Math.round(performance.now() - since);
    write(`debug: http ${request.method} ${request.host}${request.path.split('?')[0]} -> ${response.statusCode} in ${ms}ms`);
  });
}

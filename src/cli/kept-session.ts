import type { CloudRigCore } from '../core/app/cloudrig-core.js';
import type { RemoteSession } from '../core/app/remote-access.js';
import { keepWorkstationSession, type KeptSession } from '../core/app/session-reconnect.js';

/**
 * A long-running command's session (a tunnel, a watch) kept connected across sleep and network
 * changes: the two lines ("… lost; reconnecting…", "Reconnected … after 4 s.") go to stderr, where
 * they never mix with `--json` output; a session that ends on reconnect goes to `onError` (the
 * command's watchFailures, which ends the command with the pin's error); `onBack` hears each return.
 */
export function keptSession(
  c: Pick<CloudRigCore, 'service' | 'clock'>,
  session: RemoteSession,
  io: { readonly stderr: { write(text: string): unknown } },
  signal: AbortSignal,
  onError: (error: unknown) => void,
  onBack: () => void = () => undefined,
): KeptSession {
  return keepWorkstationSession(c, session, {
    signal,
    onEvent: (event) => {
      if (event.kind === 'ended') return onError(event.error);
      io.stderr.write(`${event.line}\n`);
      if (event.kind === 'reconnected') onBack();
    },
  });
}

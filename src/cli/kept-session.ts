import type { KeptSession, RemoteSession, Rig } from '../core/app/face.js';

/**
 * A long-running command's session (a tunnel, a watch) kept connected across sleep and network
 * changes: the two lines ("… lost; reconnecting…", "Reconnected … after 4 s.") go to stderr, where
 * they never mix with `--json` output; a session that ends on reconnect goes to `onError` (the
 * command's watchFailures, which ends the command with the pin's error); `onBack` hears each return.
 */
export function keptSession(
  rig: Rig,
  session: RemoteSession,
  io: { readonly stderr: { write(text: string): unknown } },
  signal: AbortSignal,
  onError: (error: unknown) => void,
  onBack: () => void = () => undefined,
): KeptSession {
  return rig.connect.keep(session, {
    signal,
    onEvent: (event) => {
      if (event.kind === 'ended') return onError(event.error);
      io.stderr.write(`${event.line}\n`);
      if (event.kind === 'reconnected') onBack();
    },
  });
}

import { forwardJupyter, isTunnelWord, localUrl, type OpenTunnel, openTunnels, parseTunnelSpecs, validateInteger, validateName } from '../core/app/face.js';
import type { CommandRegistrar } from './program.js';
import { openInBrowser, untilInterrupted, watchFailures } from './remote-session.js';
import { isInteractive, lineWriter } from './output.js';
import { keptSession } from './kept-session.js';
import { printable } from '../shared/untrusted-text.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';

/** `rig tunnel [name] PORT…`: the first word is the workstation when it names one and is not itself a forward. */
export function splitNameAndPorts(words: readonly string[], names: readonly string[]): { name: string | undefined; ports: string[] } {
  const [first, ...rest] = words;
  if (first !== undefined && (!isTunnelWord(first) || (names.includes(first) && rest.length > 0))) {
    return { name: validateName(first, 'nameArgument'), ports: rest };
  }
  return { name: undefined, ports: [...words] };
}

function describe(tunnel: OpenTunnel): string {
  const { spec } = tunnel;
  const label = spec.label ? ` (${spec.label})` : '';
  return `${localUrl(tunnel.localPort)} → ${spec.remoteHost}:${spec.remotePort} on the workstation${label}`;
}

/** `rig tunnel` and `rig jupyter`: local forwards over the workstation's one kept-alive ssh connection. */
export const registerTunnelCommands: CommandRegistrar = (program, { rig, io }) => {
  const out = lineWriter(io.stdout);

  program
    .command('tunnel')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .argument('[ports...]', 'PORT, LOCAL:REMOTE, LOCAL:HOST:REMOTE, or a preset: jupyter (8888), tensorboard (6006)')
    .description('Forward local ports to the workstation over ssh until Ctrl-C; prints the local URLs.')
    .action(async (first: string | undefined, more: string[]) => {
      const c = await rig();
      const split = splitNameAndPorts([...(first === undefined ? [] : [first]), ...more], c.names());
      // The workstation first: `rig tunnel foo` is about a workstation foo, not a missing port.
      const name = await workstationFor(c, io, split.name);
      const specs = parseTunnelSpecs(split.ports);
      const session = await c.connect.openSession(name);
      try {
        // Connect (and check the host key) before listening: a refused key opens nothing.
        await session.connect();
        const controller = new AbortController();
        // Bound to the instance: once it ends, the tunnels close rather than reach whatever answers at its address.
        const failures = watchFailures(io.stderr, controller, { session, consequence: 'the tunnels closed.' });
        // Back by itself after a sleep or a network change, so the next browser request is carried.
        const kept = keptSession(c, session, io, controller.signal, failures.onError);
        const tunnels = await openTunnels(session.forwarder(kept.quiet(failures.onError)), specs);
        for (const tunnel of tunnels) out(`Forwarding ${describe(tunnel)}`);
        out('Press Ctrl-C to close the tunnels.');
        await untilInterrupted(controller);
        await Promise.all(tunnels.map((tunnel) => tunnel.close()));
        failures.rethrow();
        out('Tunnels closed.');
      } finally {
        await session.close();
      }
    });

  program
    .command('jupyter')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .description('Find the Jupyter server running on the workstation, forward its port and open it (until Ctrl-C).')
    .option('--port <port>', 'local port (default: the server\'s port, or any free one when that is taken)', (v) => validateInteger(v, 'localPort', 1, 65_535))
    .option('--no-open', 'print the URL without opening a browser')
    .action(async (name: string | undefined, opts: { port?: number; open: boolean }) => {
      const c = await rig();
      const session = await c.connect.openSession(await workstationFor(c, io, name === undefined ? undefined : validateName(name, 'nameArgument')));
      const workstation = session.target.workstation ?? 'the workstation';
      try {
        const controller = new AbortController();
        const failures = watchFailures(io.stderr, controller, { session, consequence: 'the Jupyter tunnel closed.' });
        const kept = keptSession(c, session, io, controller.signal, failures.onError);
        const { tunnel, url } = await forwardJupyter(session, session.forwarder(kept.quiet(failures.onError)), workstation, opts.port);
        // The URL's path and token come from the box's `jupyter server list`.
        out(`Jupyter on ${workstation}: ${printable(url)}`);
        // A browser only for someone at a terminal: not for a script, a pipe or CI.
        if (opts.open && io.stdinIsTty && isInteractive(io.stdout, io.env)) openInBrowser(url, io.env);
        out('Press Ctrl-C to close the tunnel.');
        await untilInterrupted(controller);
        await tunnel.close();
        failures.rethrow();
      } finally {
        await session.close();
      }
    });
};

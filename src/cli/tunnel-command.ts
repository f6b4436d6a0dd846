import { toErrorInfo } from '../core/errors.js';
import { forwardJupyter } from '../core/app/connect.js';
import { isTunnelWord, localUrl, openTunnels, parseTunnelSpecs, type OpenTunnel } from '../core/app/tunnels.js';
import { validateInteger, validateName } from '../core/validate.js';
import type { CommandRegistrar } from './program.js';
import { openInBrowser, openSession, untilInterrupted } from './remote-session.js';
import { lineWriter, warningLine } from './output.js';
import { printable } from '../shared/untrusted-text.js';

/** `rig tunnel [name] PORT…`: the first word is the workstation when it names one and is not itself a forward. */
export function splitNameAndPorts(words: readonly string[], names: readonly string[]): { name: string | undefined; ports: string[] } {
  const [first, ...rest] = words;
  if (first !== undefined && (!isTunnelWord(first) || (names.includes(first) && rest.length > 0))) {
    return { name: validateName(first, 'NAME'), ports: rest };
  }
  return { name: undefined, ports: [...words] };
}

function describe(tunnel: OpenTunnel): string {
  const { spec } = tunnel;
  const label = spec.label ? ` (${spec.label})` : '';
  return `${localUrl(tunnel.localPort)} → ${spec.remoteHost}:${spec.remotePort} on the workstation${label}`;
}

/** `rig tunnel` and `rig jupyter`: local forwards over the workstation's one kept-alive ssh connection. */
export const registerTunnelCommands: CommandRegistrar = (program, { core, io }) => {
  const out = lineWriter(io.stdout);
  const warn = (error: unknown): void => {
    io.stderr.write(`${warningLine(toErrorInfo(error))}\n`);
  };

  program
    .command('tunnel')
    .argument('[name]', 'workstation name (optional when there is one)')
    .argument('[ports...]', 'PORT, LOCAL:REMOTE, LOCAL:HOST:REMOTE, or a preset: jupyter (8888), tensorboard (6006)')
    .description('Forward local ports to the workstation over ssh until Ctrl-C; prints the local URLs.')
    .action(async (first: string | undefined, more: string[]) => {
      const c = await core();
      const { name, ports } = splitNameAndPorts([...(first === undefined ? [] : [first]), ...more], c.service.names());
      const specs = parseTunnelSpecs(ports);
      const session = await openSession(c, name);
      try {
        // Connect (and check the host key) before listening: a refused key opens nothing.
        await session.connect();
        const tunnels = await openTunnels(session.forwarder(warn), specs);
        for (const tunnel of tunnels) out(`Forwarding ${describe(tunnel)}`);
        out('Press Ctrl-C to close the tunnels.');
        await untilInterrupted(new AbortController());
        await Promise.all(tunnels.map((tunnel) => tunnel.close()));
        out('Tunnels closed.');
      } finally {
        await session.close();
      }
    });

  program
    .command('jupyter')
    .argument('[name]', 'workstation name (optional when there is one)')
    .description('Find the Jupyter server running on the workstation, forward its port and open it (until Ctrl-C).')
    .option('--port <port>', 'local port (default: the server\'s port, or any free one when that is taken)', (v) => validateInteger(v, 'localPort', 1, 65_535))
    .option('--no-open', 'print the URL without opening a browser')
    .action(async (name: string | undefined, opts: { port?: number; open: boolean }) => {
      const c = await core();
      const session = await openSession(c, name === undefined ? undefined : validateName(name, 'NAME'));
      const workstation = session.target.workstation ?? 'the workstation';
      try {
        const { tunnel, url } = await forwardJupyter(session, session.forwarder(warn), workstation, opts.port);
        // The URL's path and token come from the box's `jupyter server list`.
        out(`Jupyter on ${workstation}: ${printable(url)}`);
        if (opts.open && io.stdinIsTty && io.stdout.isTTY) openInBrowser(url);
        out('Press Ctrl-C to close the tunnel.');
        await untilInterrupted(new AbortController());
        await tunnel.close();
      } finally {
        await session.close();
      }
    });
};

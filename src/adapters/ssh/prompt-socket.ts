import { Socket } from 'node:net';

/**
 * The TCP connection every ssh2 client of CloudRig runs over, opened here rather than by ssh2 so
 * it is set up for many small round trips (sftp of small files, tunnels, short execs):
 *
 * - Nagle's algorithm off. ssh2 writes each packet as several socket writes (length, payload,
 *   MAC); with Nagle on, the later ones wait for the server's delayed ACK (~40 ms), so every sftp
 *   round trip took 40–90 ms and a push of 400 one-line files took 90 s where scp takes 0.5 s.
 * - What one turn of the event loop writes leaves as one write: with Nagle off, each of ssh2's
 *   writes per packet would otherwise be a syscall and a segment of its own. The socket is corked
 *   at the turn's first write and uncorked when the turn ends.
 *
 * It is already connecting when ssh2 receives it (`sock` in ssh2's connect config), so ssh2 waits
 * for its 'connect' as it does for a socket of its own.
 */
export function promptSocket(host: string, port: number): Socket {
  const socket = new Socket();
  socket.setNoDelay(true);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
  socket.setMaxListeners(0);
  socket.connect({ host, port });
  return socket;
}

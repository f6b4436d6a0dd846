import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import ssh2 from 'ssh2';
import type { Sshd } from '../fixtures/sshd.js';
import { waitUntil } from './wait-until.js';

/**
 * How many logins sshd accepted while `action` ran. sshd logs a login before the client is let in,
 * so every login of the action is in sshd's log pipe by the time it returns. A marker login made
 * afterwards, from a local port this test knows, is found in the log only once every line before it
 * was read: the count is complete without waiting a fixed time.
 */
export async function loginsDuring<T>(sshd: Sshd, keyPath: string, action: () => Promise<T>): Promise<{ logins: number; result: T }> {
  const before = sshd.logins().length;
  const result = await action();
  const privateKey = await readFile(keyPath, 'utf8');
  const socket = connect(sshd.port, sshd.host);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const marker = ` port ${socket.localPort} `;
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject).connect({ sock: socket, username: sshd.user, privateKey });
  });
  client.end();
  await waitUntil('the marker login in sshd\'s log', () => sshd.logins().some((line) => line.includes(marker)));
  const at = sshd.logins().findIndex((line) => line.includes(marker));
  return { logins: at - before, result };
}

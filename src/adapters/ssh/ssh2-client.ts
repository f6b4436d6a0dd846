import { readFile } from 'node:fs/promises';
import type ssh2 from 'ssh2';
import type { ProbeResult, SshClient, SshTarget } from '../../core/ports.js';

/** Connects, handshakes and authenticates with the workstation's key; resolves with the client. */
async function connect(target: SshTarget, timeoutMs: number): Promise<ssh2.Client> {
  const privateKey = await readFile(target.keyPath, 'utf8');
  // Loaded on first use: a process that never talks ssh never pays for ssh2.
  const { Client } = (await import('ssh2')).default;
  return new Promise((resolve, reject) => {
    const client = new Client();
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    client
      .once('ready', () => {
        clearTimeout(timer);
        resolve(client);
      })
      .once('error', (error) => {
        clearTimeout(timer);
        client.end();
        reject(error);
      })
      .connect({
        host: target.host,
        port: target.port,
        username: target.user,
        privateKey,
        readyTimeout: timeoutMs,
        // A fresh instance has a new host key; the interactive ssh pins it in known_hosts (accept-new).
        hostVerifier: () => true,
      });
  });
}

/** ssh2-based readiness probe and command runner. */
export class Ssh2Client implements SshClient {
  async probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult> {
    try {
      const client = await connect(target, timeoutMs);
      client.end();
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  async exec(target: SshTarget, command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    const client = await connect(target, timeoutMs);
    try {
      return await new Promise((resolve, reject) => {
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let stdout = '';
          let stderr = '';
          stream.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
          stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
          stream.on('close', (code: number | null) => resolve({ code: code ?? 255, stdout, stderr }));
        });
      });
    } finally {
      client.end();
    }
  }
}

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { earlyBannerProbe } from '../../src/cli/early-probe.js';

// `rig status` starts reading the SSH banner of the last accepted address before its code loads.
let home: string;
let server: Server;
let connections = 0;
let port = 0;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-early-'));
  connections = 0;
  server = createServer((socket) => {
    connections++;
    socket.end('SSH-2.0-OpenSSH_9.2\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  await mkdir(join(home, 'state'));
  await writeFile(join(home, 'state', 'ssh-accepted.json'), JSON.stringify({
    gpu: { run: 'i-0abc@2026-11-29T00:00:00.000Z', host: '127.0.0.1', port, user: 'ubuntu', keyPath: '/k' },
  }));
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(home, { recursive: true, force: true });
});

describe('the early banner read of `rig status`', () => {
  it('connects to the recorded address for `status`, with --home before or after, named or not', async () => {
    for (const argv of [['--home', home, 'status', '--json'], [`--home=${home}`, 'status', 'gpu'], ['status']]) {
      const before = connections;
      const probe = earlyBannerProbe(argv, { CLOUDRIG_HOME: home });
      expect(probe, argv.join(' ')).toBeDefined();
      await expect.poll(() => connections).toBe(before + 1);
    }
  });

  it('does nothing for other commands, for a workstation without a record, or without a record file', async () => {
    const env = { CLOUDRIG_HOME: home };
    expect(earlyBannerProbe(['up'], env)).toBeUndefined();
    expect(earlyBannerProbe(['ssh', '--', 'status'], env)).toBeUndefined();
    expect(earlyBannerProbe(['status', 'other'], env)).toBeUndefined();
    expect(earlyBannerProbe(['--home', join(home, 'nowhere'), 'status'], env)).toBeUndefined();
    expect(connections).toBe(0);
  });
});

import { existsSync } from 'node:fs';
import { spawnOwned, type OwnedProcess } from '../../fixtures/owned-process.js';

/** A virtual X display for tests that open real windows (xterm). */
export interface Xvfb {
  /** e.g. `:93` */
  readonly display: string;
  close(): Promise<void>;
}

/** Whether Xvfb is installed here (Debian package xvfb). */
export function hasXvfb(): boolean {
  return existsSync('/usr/bin/Xvfb');
}

/** Starts Xvfb on a free display number (no TCP) and waits for its socket. */
export async function startXvfb(): Promise<Xvfb> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const number = 90 + ((process.pid + attempt * 7) % 400);
    if (existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`)) continue;
    // -noreset: by default the server resets when its last client leaves, and an xterm that connects
    // during that reset fails with "Can't open display" (one test's xterm exiting as the next starts).
    const child: OwnedProcess = await spawnOwned('Xvfb', [`:${number}`, '-nolisten', 'tcp', '-noreset', '-screen', '0', '1024x768x24']);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.isRunning() && !existsSync(`/tmp/.X11-unix/X${number}`)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (child.isRunning() && existsSync(`/tmp/.X11-unix/X${number}`)) {
      return { display: `:${number}`, close: () => child.stop() };
    }
    await child.stop();
  }
  throw new Error('could not start Xvfb on a free display');
}

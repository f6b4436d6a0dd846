import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RIG = join(import.meta.dirname, '..', '..', 'bin', 'rig.js');

describe('rig output into a closed pipe (rig … | head -1)', () => {
  it('ends quietly with no EPIPE stack trace when the reader is gone', async () => {
    const child = spawn(process.execPath, [RIG, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before rig has written anything (rig takes far longer to start).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('rig --version', () => {
  it('prints the version of the package it was built from and exits 0, without asking AWS anything', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const child = spawn(process.execPath, [RIG, flag], { env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });
});

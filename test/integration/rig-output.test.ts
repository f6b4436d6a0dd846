import { spawn } from 'node:child_process';
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

import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { Progress, useColor, type Io } from '../../src/cli/output.js';

function terminal(env: Io['env'] = {}): { io: Io; text: () => string } {
  // Just enough of a tty.WriteStream for a spinner.
  const stderr = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 100,
    cursorTo: (_x: number, callback?: () => void) => (callback?.(), true),
    moveCursor: (_dx: number, _dy: number, callback?: () => void) => (callback?.(), true),
    clearLine: (_dir: number, callback?: () => void) => (callback?.(), true),
  });
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { io: { stdout: new PassThrough(), stderr, stdinIsTty: true, env }, text: () => text };
}

describe('rig progress on a terminal', () => {
  it('a failed command marks the running step failed and leaves no spinner timer keeping rig alive', () => {
    const { io, text } = terminal();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const progress = new Progress(io);
    progress.step({ id: 'ssh', label: 'Waiting for ssh on 127.0.0.1' });
    expect(timers()).toBeGreaterThan(before);
    Progress.failAll(io);
    expect(timers()).toBe(before);
    expect(text()).toMatch(/✖.* Waiting for ssh on 127\.0\.0\.1/);
  });

  it('prints one plain line per step when not on a terminal (CI, pipes)', () => {
    const { io, text } = terminal({ CI: '1' });
    const progress = new Progress(io);
    progress.step({ id: 'a', label: 'Finding the image' });
    progress.step({ id: 'a', label: 'Finding the image' });
    progress.step({ id: 'b', label: 'Launched i-1' });
    progress.done();
    expect(text()).toBe('• Finding the image\n• Launched i-1\n');
  });

  it('says every half minute that a long step is still waiting, with its elapsed time, when not on a terminal', () => {
    vi.useFakeTimers();
    try {
      const { io, text } = terminal({ CI: '1' });
      const progress = new Progress(io);
      progress.step({ id: 'ssh', label: 'Waiting for ssh on 127.0.0.1' });
      vi.advanceTimersByTime(95_000);
      progress.done('ready');
      vi.advanceTimersByTime(60_000);
      expect(text()).toBe([
        '• Waiting for ssh on 127.0.0.1',
        '  still: Waiting for ssh on 127.0.0.1 (30 s)',
        '  still: Waiting for ssh on 127.0.0.1 (1 min 0 s)',
        '  still: Waiting for ssh on 127.0.0.1 (1 min 30 s)',
        '✔ ready',
        '',
      ].join('\n'));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('rig colour', () => {
  const tty = { isTTY: true } as Io['stderr'];
  const pipe = { isTTY: false } as Io['stderr'];
  it.each([
    ['a terminal is coloured', tty, {}, true],
    ['a pipe is not', pipe, {}, false],
    ['NO_COLOR turns a terminal\'s colour off', tty, { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR counts as unset (its convention)', tty, { NO_COLOR: '' }, true],
    ['FORCE_COLOR colours a pipe', pipe, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 turns a terminal\'s colour off', tty, { FORCE_COLOR: '0' }, false],
    ['NO_COLOR wins over FORCE_COLOR', tty, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['TERM=dumb is not coloured', tty, { TERM: 'dumb' }, false],
  ] as const)('%s', (_name, stream, env, expected) => {
    expect(useColor(stream, env)).toBe(expected);
  });
});

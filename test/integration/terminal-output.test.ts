import { afterEach, describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';
import { rigOnPty, type RigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * `rig up` in a terminal that has no width (`script` without a size, `stty cols 0`, some IDE and CI
 * consoles): a spinner there never fits its line and redraws without end (847 MB of cursor moves in
 * ten minutes, and `rig up` never finished). Progress must fall back to one plain line a step.
 */
const world = useRigWorld({ hold: { pendingMs: 1_500 }, eachTest: { init: true } });

let rig: RigOnPty | null = null;
afterEach(() => {
  if (rig && !rig.ended()) rig.pressCtrlC();
  rig = null;
});

describe('rig up in a terminal without a width', () => {
  it('prints one plain line a step and ends when the box is ready, with no line redrawn', async () => {
    const env: NodeJS.ProcessEnv = { ...world.env, CLOUDRIG_HOME: world.home };
    // A user's terminal, not CI: where a spinner would turn.
    delete env.CI;
    const up = rigOnPty(['up'], env, { columns: 0 });
    rig = up;
    await waitUntil('rig up to end', () => {
      // Bounded either way: a runaway spinner is caught by its output, not by a timeout alone.
      if (up.output().length > 1_000_000) throw new Error(`rig up wrote ${up.output().length} bytes of progress:\n${up.output().slice(0, 2000)}`);
      return up.ended();
    }, 90_000);
    const { code, output } = await up.exited;
    expect(code, output).toBe(0);
    expect(output).toContain('• Waiting for the instance to run\n');
    expect(output).toContain('• Waiting for ssh on 127.0.0.1\n');
    expect(output).toMatch(/i-\w+ is running and ssh answers/);
    // No spinner frames: no erase-line, no cursor hidden, no line drawn twice.
    expect(output).not.toContain('\u001b[2K');
    expect(output).not.toContain('\u001b[?25l');
    expect(output.length).toBeLessThan(10_000);
  });
});

/** `rig up` on a terminal with a width (a spinner turns), env as a user's shell would give it. */
async function upOnTerminal(extra: NodeJS.ProcessEnv): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...world.env, CLOUDRIG_HOME: world.home, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  Object.assign(env, extra);
  const up = rigOnPty(['up'], env, { columns: 120 });
  rig = up;
  const { code, output } = await up.exited;
  expect(code, output).toBe(0);
  return output;
}

// A colour sequence: SGR with a foreground colour or its reset (cursor moves and erase-line are not colour).
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[(?:3\\d|9\\d|39)m`);

describe('rig up on a terminal with a width', () => {
  it('colours its spinner, and with NO_COLOR set writes no colour at all while the spinner still turns', async () => {
    expect(await upOnTerminal({})).toMatch(COLOUR);
    const plain = await upOnTerminal({ NO_COLOR: '1' });
    expect(plain).not.toMatch(COLOUR);
    // The spinner still turns (cursor hidden, frames drawn), only without colour.
    expect(plain).toContain('\u001b[?25l');
    expect(plain).toContain('⠋ Waiting for ssh on 127.0.0.1');
    expect(plain).toMatch(/✔ i-\w+ is running and ssh answers/);
  });

  it('shows the elapsed time on a wait longer than a few seconds', async () => {
    world.cloud.proxy.setHold({ pendingMs: 6_000 });
    const output = await upOnTerminal({ NO_COLOR: '1' });
    // The spinner's line for the long wait ends with how long it took.
    expect(output).toMatch(/✔ Waiting for the instance to run \((?:[3-9]|\d\d) s\)\n/);
  });
});


import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright';
import { afterAll, beforeAll, expect } from 'vitest';
import { appOn, startApp, type AppHarness } from '../../support/app-harness.js';
import { initArgs, startRigWorld, type RigWorld } from '../../support/rig-harness.js';
import { ensureAppBuilt } from './build-app.js';
import { canRunChromium, ROOT, SHOTS } from './component-page.js';
import { openPopover, type PopoverPage } from './popover-page.js';

/** What a file's tests reach: the rig world, the app's session on its home, and the popover's page. */
export interface PopoverWorld {
  readonly world: RigWorld;
  readonly app: AppHarness;
  readonly page: Page;
}

/**
 * For a popover e2e file: the built app, a rig world (moto + proxy + sshd), `prepare` run on it
 * (the `rig` commands that bring it where the file starts), then the app's session on its home and
 * the popover opened in Chromium; all closed after the file. Nothing starts without Chromium.
 */
export function usePopoverWorld(options: {
  readonly prepare: (world: RigWorld) => Promise<void>;
  readonly size: { readonly width: number; readonly height: number };
  readonly terminals?: readonly string[];
}): PopoverWorld {
  let world: RigWorld | undefined;
  let app: AppHarness | undefined;
  let popover: PopoverPage | undefined;
  beforeAll(async () => {
    if (!canRunChromium) return;
    await ensureAppBuilt(ROOT);
    await mkdir(SHOTS, { recursive: true });
    world = await startRigWorld();
    await options.prepare(world);
    app = startApp(appOn(world, { terminals: options.terminals, tickMs: 1_000, start: false }));
    popover = await openPopover(app.session, options.size);
  }, 180_000);
  afterAll(async () => {
    await popover?.close();
    await app?.dispose();
    await world?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the popover world starts in beforeAll; use it inside tests');
    return value;
  };
  return {
    get world() { return started(world); },
    get app() { return started(app); },
    get page() { return started(popover).page; },
  };
}

/** Runs `rig ARGS` in the world and expects it to succeed. */
export async function rigOk(world: RigWorld, args: readonly string[]): Promise<void> {
  const result = await world.rig(args);
  expect(result.code, result.stderr).toBe(0);
}

/** Workstation gpu made by `rig init`, launched (`rig up --no-wait-ssh`) and stopped. */
export async function stoppedWorkstation(world: RigWorld, beforeUp: () => void = () => undefined): Promise<void> {
  await rigOk(world, initArgs(world));
  beforeUp();
  await rigOk(world, ['up', '--no-wait-ssh']);
  await rigOk(world, ['stop']);
}

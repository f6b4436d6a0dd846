// Two writers, no loss (issue 19, item 7): several `rig` processes, the app and other tools writing
// settings.json and ~/.ssh/config at the same moment each keep every other writer's change.
import { link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';

const world = useRigWorld();

/** What the tests saw, for the `writers` table of docs/reliability.md. */
const seen = {
  initRounds: 0, workstationsWritten: 0, workstationsLost: 0,
  appRounds: 0, appChangesLost: 0,
  installRounds: 0, includeLinesLost: 0,
  otherToolRounds: 0, otherLinesLost: 0,
  hardLinkRounds: 0, hardLinksSplit: 0,
};

afterAll(async () => {
  await writeReliabilitySection('writers', markdownTable(['race', 'rounds', 'lost'], [
    [`\`rig init --name wN\` ×4 at once in one home (workstations written: ${seen.workstationsWritten})`, seen.initRounds, `${seen.workstationsLost} workstations lost`],
    ['the app saving settings while 3 `rig init` write', seen.appRounds, `${seen.appChangesLost} app changes lost`],
    ['3 homes `rig ssh-config --install` at once into one ~/.ssh/config', seen.installRounds, `${seen.includeLinesLost} Include lines lost`],
    ['another tool appends to ~/.ssh/config between read and rename', seen.otherToolRounds, `${seen.otherLinesLost} other tools' lines lost`],
    ['~/.ssh/config hard-linked to a second name, install and remove', seen.hardLinkRounds, `${seen.hardLinksSplit} hard links split`],
  ]));
});

const ROUNDS = 3;
/** Spawned `rig` processes start slowly on a loaded machine; a round takes several of them. */
const ROUND_MS = 120_000;

/** Starts `rig init --name <name>` in its own process for each name, all at once. */
function initAll(names: readonly string[]): Promise<RigResult[]> {
  return Promise.all(names.map((name) => world.rig(initArgs(world, ['--name', name]), { process: true })));
}

describe('settings.json with several writers at once', () => {
  it('four rig init at once in one home: every workstation is saved and listed by rig status, round after round', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await world.reset();
      const names = ['w1', 'w2', 'w3', 'w4'];
      const results = await initAll(names);
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const saved = Object.keys(new ConfSettingsStore(world.home).read().workstations);
      const listed = (await world.statusJson() as unknown as { name: string }[]).map((s) => s.name);
      seen.initRounds++;
      seen.workstationsWritten += names.length;
      seen.workstationsLost += names.filter((name) => !saved.includes(name) || !listed.includes(name)).length;
      expect(saved.sort()).toEqual(names);
      expect(listed.sort()).toEqual(names);
    }
  }, ROUNDS * ROUND_MS);

  it('the app saving its settings while rig init runs in other processes: both the app\'s changes and the workstations stay', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await world.reset();
      const names = ['a1', 'a2', 'a3'];
      // The app's store in this process, saving as the popover does when the user switches workstation.
      const app = new ConfSettingsStore(world.home);
      let done = false;
      const inits = initAll(names).finally(() => (done = true));
      const switched: string[] = [];
      for (let i = 0; !done; i++) {
        const key = `app-${i}`;
        app.update((current) => ({ ...current, lastUsed: { ...current.lastUsed, [key]: i } }));
        switched.push(key);
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const result of await inits) expect(result.code, result.stderr).toBe(0);
      const after = new ConfSettingsStore(world.home).read();
      seen.appRounds++;
      seen.workstationsWritten += names.length;
      seen.workstationsLost += names.filter((name) => !after.workstations[name]).length;
      seen.appChangesLost += switched.filter((key) => after.lastUsed[key] === undefined).length;
      expect(Object.keys(after.workstations).sort()).toEqual(names);
      expect(switched.filter((key) => after.lastUsed[key] === undefined)).toEqual([]);
    }
  }, ROUNDS * ROUND_MS);
});

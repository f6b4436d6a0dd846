import { describe, expect, it } from 'vitest';
import { gitignoreRules, isIgnored, isUnsafeName, newerAtDestination, sameFile, type FileEntry } from '../../src/core/app/files.js';
import { watchAndSync, WATCH_DEBOUNCE_MS, WATCH_MAX_WAIT_MS, type ChangeWatcher } from '../../src/core/app/file-watch.js';
import { FakeClock } from './support/fake-clock.js';

const file = (size: number, mtimeMs: number): FileEntry => ({ name: 'f', kind: 'file', size, mtimeMs, mode: 0o644 });

/** A change source the test drives by hand (the real one is fs.watch, exercised by the rig-remote test). */
class FakeChangeWatcher implements ChangeWatcher {
  listener: ((path: string) => void) | null = null;
  closed = false;
  watch(onChange: (path: string) => void): { close(): void } {
    this.listener = onChange;
    return { close: () => void (this.closed = true) };
  }
  change(path: string): void {
    this.listener?.(path);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('what push and pull copy', () => {
  it('a file with the same size and the same modification second is the same file', () => {
    expect(sameFile(file(10, 1_700_000_000_400), file(10, 1_700_000_000_000))).toBe(true);
    expect(sameFile(file(10, 1_700_000_001_000), file(10, 1_700_000_000_000))).toBe(false);
    expect(sameFile(file(11, 1_700_000_000_000), file(10, 1_700_000_000_000))).toBe(false);
    expect(sameFile(file(10, 0), null)).toBe(false);
    expect(sameFile(file(10, 0), { ...file(10, 0), kind: 'dir' })).toBe(false);
  });

  it('a name is joined under a destination only when it is one plain segment', () => {
    for (const name of ['../../../x', 'a/b', '..', '.', '', 'a\\b', 'evil\u001b]0;t\u0007', 'line\nbreak', 'c1\u009b']) expect(isUnsafeName(name), JSON.stringify(name)).toBe(true);
    for (const name of ['train.py', '.gitignore', '..hidden', 'with space', 'naïve.txt', '%s']) expect(isUnsafeName(name), name).toBe(false);
  });

  it('a destination file is newer only when its modification second is later', () => {
    expect(newerAtDestination(file(1, 1_700_000_000_000), file(2, 1_700_000_001_000))).toBe(true);
    expect(newerAtDestination(file(1, 1_700_000_000_900), file(2, 1_700_000_000_000))).toBe(false);
    expect(newerAtDestination(file(1, 1_700_000_005_000), file(2, 1_700_000_000_000))).toBe(false);
  });

  it('.git is never copied, and .gitignore rules apply from their own folder down, as git reads them', () => {
    const root = gitignoreRules('', '*.log\nbuild/\n!keep.log\n/top-only.txt\n');
    const nested = gitignoreRules('data', 'raw/\n*.tmp\n');
    const rules = [root, nested];
    expect(isIgnored('.git', true, rules)).toBe(true);
    expect(isIgnored('sub/.git/HEAD', false, rules)).toBe(true);
    expect(isIgnored('debug.log', false, rules)).toBe(true);
    expect(isIgnored('keep.log', false, rules)).toBe(false);
    expect(isIgnored('build', true, rules)).toBe(true);
    expect(isIgnored('build', false, rules)).toBe(false); // `build/` names folders only
    expect(isIgnored('top-only.txt', false, rules)).toBe(true);
    expect(isIgnored('src/top-only.txt', false, rules)).toBe(false);
    expect(isIgnored('data/raw', true, rules)).toBe(true);
    expect(isIgnored('raw', true, rules)).toBe(false); // the nested rule is data/'s only
    expect(isIgnored('data/x.tmp', false, rules)).toBe(true);
    expect(isIgnored('train.py', false, rules)).toBe(false);
  });
});

describe('push --watch', () => {
  it('says it is watching only once the watch is in place, so an edit made right after is pushed', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    let syncs = 0;
    let listeningWhenSaid: boolean | null = null;
    const done = watchAndSync({
      watcher, clock, signal: controller.signal, sync: async () => void syncs++, onError: () => undefined,
      onWatching: () => {
        listeningWhenSaid = watcher.listener !== null;
        // The user edits the moment the line appears.
        watcher.change('train.py');
      },
    });
    await settle();
    expect(listeningWhenSaid).toBe(true);
    clock.advance(WATCH_DEBOUNCE_MS);
    await settle();
    expect(syncs).toBe(1);
    controller.abort();
    await done;
  });

  it('pushes once edits have been quiet for the debounce, however many came in a burst', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    let syncs = 0;
    const done = watchAndSync({ watcher, clock, signal: controller.signal, sync: async () => void syncs++, onError: () => undefined });
    await settle();
    watcher.change('train.py');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS - 100);
    watcher.change('model.py'); // still editing: the wait starts again
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS - 100);
    await settle();
    expect(syncs).toBe(0);
    clock.advance(100);
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await settle();
    expect(syncs).toBe(1);
    controller.abort();
    await done;
    expect(watcher.closed).toBe(true);
  });

  it('changes inside .git are not edits; a failed push is reported and the next edit pushes again', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    const errors: unknown[] = [];
    let syncs = 0;
    const done = watchAndSync({
      watcher, clock, signal: controller.signal, onError: (e) => errors.push(e),
      sync: async () => {
        syncs++;
        if (syncs === 1) throw new Error('connection reset');
      },
    });
    await settle();
    watcher.change('.git/index');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS * 2);
    await settle();
    expect(syncs).toBe(0);
    watcher.change('a.py');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await settle();
    expect(errors).toHaveLength(1);
    watcher.change('a.py');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await settle();
    expect(syncs).toBe(2);
    controller.abort();
    await done;
  });

  it('pushes at the latest WATCH_MAX_WAIT_MS after the first change, however often a file keeps changing', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    let syncs = 0;
    const done = watchAndSync({ watcher, clock, signal: controller.signal, sync: async () => void syncs++, onError: () => undefined });
    await settle();
    // A progress file rewritten every 100 ms: never quiet for the debounce.
    for (let waited = 0; waited < WATCH_MAX_WAIT_MS; waited += 100) {
      watcher.change('progress.txt');
      await settle();
      clock.advance(100);
      await settle();
    }
    expect(syncs).toBe(1);
    controller.abort();
    await done;
  });

  it('changes to paths the push leaves out are not edits', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    let syncs = 0;
    const done = watchAndSync({
      watcher, clock, signal: controller.signal, sync: async () => void syncs++, onError: () => undefined,
      isIgnored: async (path) => path.endsWith('.log'),
    });
    await settle();
    watcher.change('train.log');
    await settle();
    clock.advance(WATCH_MAX_WAIT_MS * 2);
    await settle();
    expect(syncs).toBe(0);
    watcher.change('model.py');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await settle();
    expect(syncs).toBe(1);
    controller.abort();
    await done;
  });
});

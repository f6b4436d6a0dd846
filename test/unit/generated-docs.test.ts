import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELIABILITY_SECTIONS } from '../support/reliability-report.js';

// What the committed docs must agree with, whatever the last test run produced: the generated parts
// themselves are copied in by `npm run docs`, so these check only the frame they are copied into.
const ROOT = resolve(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('the committed docs fit what the suite generates', () => {
  it('docs/reliability.md marks exactly the sections the tests write, each start before its end', () => {
    const text = read('docs/reliability.md');
    const started = [...text.matchAll(/<!-- ([a-z0-9-]+):start -->/g)].map((match) => match[1]);
    expect([...started].sort()).toEqual([...RELIABILITY_SECTIONS].sort());
    for (const section of RELIABILITY_SECTIONS) {
      const start = text.indexOf(`<!-- ${section}:start -->`);
      expect(text.indexOf(`<!-- ${section}:end -->`), section).toBeGreaterThan(start);
    }
  });

  it('every committed screenshot is shown in the README or docs/, and every one shown is committed', () => {
    const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
    const shown = new Set(pages.flatMap((page) => [...read(page).matchAll(/\]\((?:docs\/)?screenshots\/([^)]+\.png)\)/g)].map((match) => match[1] ?? '')));
    const committed = readdirSync(join(ROOT, 'docs', 'screenshots')).filter((name) => name.endsWith('.png'));
    expect(committed.filter((name) => !shown.has(name)), 'committed but shown nowhere').toEqual([]);
    expect([...shown].filter((name) => !existsSync(join(ROOT, 'docs', 'screenshots', name))), 'shown but not committed').toEqual([]);
  });
});

#!/usr/bin/env node
// Copies what the last test run generated (.docs-build/, gitignored) into docs/: the e2e screenshots
// into docs/screenshots and the reliability tables into docs/reliability.md, each between its
// `<!-- NAME:start -->` / `<!-- NAME:end -->` markers. Tests never write docs/ themselves, so a run
// leaves the checkout clean and the docs change only when someone means them to.
//
//   npm run docs                       # after npm test (or the test files whose output you want)
//   node scripts/docs.mjs --root DIR   # another checkout (the script's own test uses this)
//
// A table is copied only when its whole test file ran (a -t run, or a skipped test, leaves it partial)
// and only from the last run (the suite empties .docs-build/ when it starts): everything else keeps
// its committed version, and this script says which and why, so nobody commits a partial table.
import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const rootFlag = process.argv.indexOf('--root');
const ROOT = rootFlag > 0 ? resolve(process.argv[rootFlag + 1] ?? '.') : resolve(import.meta.dirname, '..');
const BUILD = join(ROOT, '.docs-build');
const DOC = join(ROOT, 'docs', 'reliability.md');
const SHOTS = join(ROOT, 'docs', 'screenshots');

/** The file names in `dir` ending in `suffix`, sorted; none when `dir` does not exist. */
async function namesIn(dir, suffix) {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((name) => name.endsWith(suffix)).sort();
}

/** The section names marked in docs/reliability.md, in the order they appear. */
function markedSections(text) {
  return [...text.matchAll(/<!-- ([a-z0-9-]+):start -->/g)].map((match) => match[1]);
}

/** `text` with the body between `section`'s markers replaced by `markdown`. */
function splice(text, section, markdown) {
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md has no ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${markdown.trim()}\n${text.slice(to)}`;
}

async function main() {
  if (!existsSync(BUILD)) {
    console.error('error: nothing to copy: .docs-build/ does not exist. Fix: run the tests that make what you want first (npm test)');
    return 1;
  }
  const lines = [];
  let copied = 0;
  let kept = 0;

  // Reliability tables.
  const before = await readFile(DOC, 'utf8');
  const marked = markedSections(before);
  const built = (await namesIn(join(BUILD, 'reliability'), '.json')).map((name) => name.slice(0, -'.json'.length));
  const unmarked = built.filter((section) => !marked.includes(section));
  if (unmarked.length) {
    console.error(`error: the tests wrote ${unmarked.join(', ')}, which docs/reliability.md has no markers for. Fix: add <!-- NAME:start --> and <!-- NAME:end --> under a heading in docs/reliability.md`);
    return 1;
  }
  let text = before;
  for (const section of marked) {
    if (!built.includes(section)) {
      lines.push(`kept reliability ${section}: the last run did not run its test file`);
      kept += 1;
      continue;
    }
    const output = JSON.parse(await readFile(join(BUILD, 'reliability', `${section}.json`), 'utf8'));
    if (!output.complete || typeof output.markdown !== 'string') {
      lines.push(`kept reliability ${section}: the last run ran ${output.ran} of the ${output.total} tests in ${output.file} (a -t run or a skipped test); run the whole file`);
      kept += 1;
      continue;
    }
    const next = splice(text, section, output.markdown);
    lines.push(`${next === text ? 'same' : 'updated'} reliability ${section} (${output.file})`);
    text = next;
    copied += 1;
  }
  if (text !== before) {
    const temp = `${DOC}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, DOC);
  }

  // Screenshots.
  const taken = await namesIn(join(BUILD, 'screenshots'), '.png');
  for (const name of taken) {
    const from = join(BUILD, 'screenshots', name);
    const to = join(SHOTS, name);
    const existed = existsSync(to);
    const same = existed && (await readFile(from)).equals(await readFile(to));
    if (!same) await copyFile(from, to);
    lines.push(`${same ? 'same' : existed ? 'updated' : 'added'} docs/screenshots/${name}`);
    copied += 1;
  }
  for (const name of await namesIn(SHOTS, '.png')) {
    if (taken.includes(name)) continue;
    lines.push(`kept docs/screenshots/${name}: the last run did not take it`);
    kept += 1;
  }

  for (const line of lines) console.log(line);
  console.log(`${copied} copied from the last run, ${kept} kept as committed${kept ? ' (listed above with the reason)' : ''}`);
  return 0;
}

process.exitCode = await main();

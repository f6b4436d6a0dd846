import { join, resolve } from 'node:path';

/**
 * Where the suite writes what it generates for docs/ (screenshots, reliability tables). Gitignored:
 * a test run never changes a tracked file; `npm run docs` (scripts/docs.mjs) copies this folder's
 * contents into docs/ when someone means to update them.
 */
export const DOCS_BUILD = resolve(import.meta.dirname, '..', '..', '.docs-build');

/** Screenshots the e2e tests take, named as in docs/screenshots. */
export const SCREENSHOTS_BUILD = join(DOCS_BUILD, 'screenshots');

/** One `<section>.json` per reliability table, as scripts/docs.mjs reads it. */
export const RELIABILITY_BUILD = join(DOCS_BUILD, 'reliability');

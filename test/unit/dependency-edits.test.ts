import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confWithoutValidator } from '../../scripts/main-bundle.mjs';

// The bundles edit two dependencies' sources by exact text (scripts/main-bundle.mjs). A new version
// that moved a text must fail the build, saying what to update, not bundle the code as written.
const ROOT = resolve(import.meta.dirname, '../..');

describe("conf's validator imports, replaced by stand-ins in the bundles", () => {
  it('are each replaced in the installed conf, whose validator and semver are then never imported', async () => {
    const source = await readFile(join(ROOT, 'node_modules/conf/dist/source/index.js'), 'utf8');
    const edited = confWithoutValidator(source);
    expect(edited).not.toMatch(/from 'ajv|from 'ajv-formats'|from 'semver'/);
    expect(edited).toContain('conf was bundled without ajv');
  });

  it('fail the build, naming the text, when conf no longer has one of them', () => {
    expect(() => confWithoutValidator("import semver from 'semver';\n")).toThrow(/conf-without-validator: conf no longer has `import \{ Ajv2020 as Ajv \}/);
  });
});

import { cliFix } from '../../src/cli/fix-wording.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import { FixSchema } from '../../src/shared/errors.js';

/**
 * An asymmetric matcher for a structured fix: it matches when the fix, worded by `face` (the
 * CLI's `cliFix` or the app's `appFix`), matches `pattern` (a RegExp, or a string it contains).
 */
export function fixWorded(face: 'cli' | 'app', pattern: RegExp | string) {
  const word = face === 'cli' ? cliFix : appFix;
  return {
    asymmetricMatch(actual: unknown): boolean {
      const parsed = FixSchema.safeParse(actual);
      if (!parsed.success) return false;
      const text = word(parsed.data);
      return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    },
    toString: () => `Fix worded for the ${face} matching ${String(pattern)}`,
    toAsymmetricMatcher: () => `Fix worded for the ${face} matching ${String(pattern)}`,
  };
}

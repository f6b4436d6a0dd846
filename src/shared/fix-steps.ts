import type { Fix, FixStep } from './errors.js';

// The helpers over a fix, apart from errors.ts and its zod schemas: the popover uses them, and a
// function taken from a module that builds schemas at its top level brings all of zod into the
// renderer's bundle (the bundler cannot tell those calls are free of side effects).

/** The steps of a fix, in order. */
export function fixSteps(fix: Fix): readonly FixStep[] {
  return fix.action === 'steps' ? fix.steps : [fix];
}

/** `first`, then `next`: one flat list of steps. */
export function thenFix(first: Fix, next: FixStep): Fix {
  return { action: 'steps', steps: [...fixSteps(first), next] };
}

/** Joins worded steps as sentences ("Do this. Then that."). */
export function joinSteps(words: readonly string[]): string {
  return words.map((word, i) => (i < words.length - 1 ? word.replace(/\.?\s*$/, '.') : word)).join(' ');
}

/** For the `never` check in a face's wording: a step no case handled. */
export function unworded(step: never): never {
  throw new Error(`No wording for fix ${JSON.stringify(step)}`);
}

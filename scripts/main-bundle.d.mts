import type { parseAst, Plugin } from 'vite';

/** What the main process leaves out of its bundle (see main-bundle.mjs). */
export declare const mainExternals: Array<string | RegExp>;
export declare function nativeAddonsLeftOutPlugin(): Plugin;
export declare function builtinsRequiredPlugin(): Plugin;
export declare function confWithoutValidatorPlugin(): Plugin;
export declare function latin1SourcesPlugin(): Plugin;
export declare function sshWithoutPoly1305Plugin(): Plugin;
export declare function moduleBodyRunsOncePlugin(): Plugin;
/** A chunk's code with its module body moved into a function called once, or null when it stays as it is. */
export declare function moduleBodyInFunction(code: string, parse: (code: string) => ReturnType<typeof parseAst>): string | null;

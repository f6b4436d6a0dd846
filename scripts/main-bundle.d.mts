import type { parseAst, Plugin } from 'vite';

/** What the main process leaves out of its bundle (see main-bundle.mjs). */
export declare const mainExternals: Array<string | RegExp>;
export declare function nativeAddonsLeftOutPlugin(): Plugin;
export declare function builtinsRequiredPlugin(): Plugin;
/** conf's source with its validator's and semver's imports made stand-ins. */
export declare function confWithoutValidator(code: string): string;
export declare function confWithoutValidatorPlugin(): Plugin;
export declare function latin1SourcesPlugin(): Plugin;
export declare function sshWithoutPoly1305Plugin(): Plugin;
/** ssh2's modules whose built-ins load at their first use, each with the exact texts replaced. */
export declare const SSH_LAZY_BUILTINS: ReadonlyArray<{ readonly module: RegExp; readonly edits: ReadonlyArray<readonly [string, string]> }>;
/** An ssh2 module's source with its built-ins made lazy, or null for any other module. */
export declare function sshLazyBuiltins(code: string, id: string): string | null;
export declare function sshLazyBuiltinsPlugin(): Plugin;
export declare function moduleBodyRunsOncePlugin(): Plugin;
/** A chunk's code with its module body moved into a function called once, or null when it stays as it is. */
/** Whether a parsed chunk's body runs once in a function (or runs nothing), as moduleBodyInFunction writes it. */
export declare function bodyRunsOnce(program: ReturnType<typeof parseAst>): boolean;
export declare function moduleBodyInFunction(code: string, parse: (code: string) => ReturnType<typeof parseAst>): string | null;

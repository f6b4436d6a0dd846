import type { Plugin } from 'vite';

/** What the main process leaves out of its bundle (see main-bundle.mjs). */
export declare const mainExternals: Array<string | RegExp>;
export declare function nativeAddonsLeftOutPlugin(): Plugin;
export declare function builtinsRequiredPlugin(): Plugin;
export declare function confWithoutValidatorPlugin(): Plugin;
export declare function latin1SourcesPlugin(): Plugin;
export declare function sshWithoutPoly1305Plugin(): Plugin;

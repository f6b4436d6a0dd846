// The few web-standard globals src/core and src/shared may use. They exist alike in Node, Electron's
// main process and browsers; everything else (process, Buffer, timers, fs) comes through ports.
// Only tsconfig.core.json includes this file: the node and web configs get these from their libs.

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

// eslint-disable-next-line no-var -- an ambient global is declared with var, as in lib.dom.d.ts
declare var AbortSignal: {
  prototype: AbortSignal;
  abort(reason?: unknown): AbortSignal;
  any(signals: AbortSignal[]): AbortSignal;
};

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

// eslint-disable-next-line no-var -- as above
declare var AbortController: {
  prototype: AbortController;
  new (): AbortController;
};

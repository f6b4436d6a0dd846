import type { ErrorInfo } from '../shared/workstation.js';

/** An error the user can act on: what went wrong and how to fix it. Never carries a secret. */
export class CloudRigError extends Error implements ErrorInfo {
  override readonly name = 'CloudRigError';
  constructor(
    readonly code: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }

  /** The plain value shown by surfaces. */
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, fix: this.fix };
  }
}

/** Any thrown value as an ErrorInfo; unknown errors keep their message and get a generic fix. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof CloudRigError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'Unexpected',
    message,
    fix: 'Try again; if it keeps happening, run it again with --debug (e.g. rig --debug status) and report what it prints.',
  };
}

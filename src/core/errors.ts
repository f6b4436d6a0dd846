import { type ErrorCode, type ErrorInfo, type Fix } from '../shared/errors.js';

/**
 * An error the user can act on: what went wrong (its code and message) and how to fix it (a
 * structured fix each face words for its user). Never carries a secret.
 */
export class CloudRigError extends Error implements ErrorInfo {
  override readonly name = 'CloudRigError';
  readonly fix: Fix;
  /** `awsCode` is the AWS error code this error was mapped from, for adapters that branch on it. */
  constructor(
    readonly code: ErrorCode,
    message: string,
    fix: Fix,
    readonly awsCode: string | null = null,
  ) {
    super(message);
    this.fix = fix;
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
  return { code: 'Unexpected', message, fix: { action: 'report-bug' } };
}

import { useCallback, useState } from 'react';
import type { Result } from '../shared/contract.js';
import type { ErrorInfo } from '../shared/workstation.js';

/**
 * Runs requests to main one at a time per component: `busy` while one runs, `error` when the
 * last one came back with an error (shown with its fix), cleared by the next request.
 */
export function useRequest(): {
  busy: boolean;
  error: ErrorInfo | null;
  run: <T>(request: () => Promise<Result<T>>) => Promise<T | null>;
  clearError: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const run = useCallback(async <T,>(request: () => Promise<Result<T>>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      const result = await request();
      if (result.ok) return result.value;
      setError(result.error);
      return null;
    } catch (thrown) {
      setError({ code: 'Unexpected', message: thrown instanceof Error ? thrown.message : String(thrown), fix: { action: 'report-bug' } });
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clearError: useCallback(() => setError(null), []) };
}

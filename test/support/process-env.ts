/**
 * Runs `body` with these process.env entries set (undefined: removed), restoring them after, even when
 * it throws. For tests that point the process's own environment somewhere else, to show that code
 * given its environment as a value does not follow it.
 */
export async function withProcessEnv<T>(entries: Readonly<Record<string, string | undefined>>, body: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(entries).map((key) => [key, process.env[key]]));
  const apply = (values: Readonly<Record<string, string | undefined>>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(entries);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

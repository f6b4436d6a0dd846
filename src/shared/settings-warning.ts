// Apart from settings.ts and its zod schemas, so that the popover's bundle does not carry zod (see fix-steps.ts).

/** The line each face shows while the settings file holds fields CloudRig does not know; null when none. */
export function unknownFieldsWarning(paths: readonly string[]): string | null {
  if (paths.length === 0) return null;
  return `settings.json has ${paths.length === 1 ? 'a field' : 'fields'} CloudRig does not know, kept as ${paths.length === 1 ? 'it is' : 'they are'}: ${paths.join(', ')}.`;
}

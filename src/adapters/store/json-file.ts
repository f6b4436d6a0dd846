import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/**
 * Reads a JSON file CloudRig keeps as a cache or a record: null when it does not exist, is not
 * JSON, or does not match the schema (a damaged cache is rebuilt, never fatal). Other I/O errors
 * (permissions, a directory in the way) are thrown.
 */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? (parsed.data as z.infer<S>) : null;
}

/**
 * Artifacts tests leave for a reviewer (screenshots, a received webhook, an email as rendered):
 * `test-output/` at the workspace root, next to the Jest JSON results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const TEST_OUTPUT_DIR = resolve(__dirname, '../../../test-output');

/** The path of `name` under test-output/ (the folder is created). */
export function testOutputPath(name: string): string {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  return join(TEST_OUTPUT_DIR, name);
}

/** Writes `content` to test-output/`name` and returns the path. */
export function writeTestOutput(name: string, content: string): string {
  const path = testOutputPath(name);
  writeFileSync(path, content);
  return path;
}

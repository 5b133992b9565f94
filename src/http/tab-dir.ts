/**
 * Where the built tab lives by default: `<project>/dist/tab`, found from this file's own place,
 * which is `<project>/src/http` when run from source (tsx) and `<project>/dist/src/http` when
 * compiled — so neither the working directory nor the way the app was started matters.
 */
import path from 'node:path';

/** The project folder, given the folder of a file under `src/http` (source or compiled). */
export function projectRootOf(httpDir: string): string {
  const src = path.dirname(httpDir);
  const parent = path.dirname(src);
  return path.basename(parent) === 'dist' ? path.dirname(parent) : parent;
}

export const DEFAULT_TAB_DIR = path.join(projectRootOf(__dirname), 'dist', 'tab');

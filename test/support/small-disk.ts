/**
 * A file system of a few MiB (tmpfs) that a test can fill up, to see what the app does when the
 * disk is full. Null where mounting is not possible here (not root, no CAP_SYS_ADMIN).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir';

const run = promisify(execFile);

export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the disk has no space left. */
  fill(): void;
  /** Removes the filler: there is space again. */
  free(): void;
  unmount(): Promise<void>;
}

export async function mountSmallDisk(sizeMiB: number): Promise<SmallDisk | null> {
  const temp = makeTempDir();
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', temp.dir]);
  } catch (err) {
    process.stderr.write(`mountSmallDisk: cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})\n`);
    temp.remove();
    return null;
  }
  const filler = path.join(temp.dir, 'filler');
  return {
    dir: temp.dir,
    fill: () => {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
    },
    free: () => fs.rmSync(filler, { force: true }),
    unmount: async () => {
      await run('umount', [temp.dir]);
      temp.remove();
    },
  };
}

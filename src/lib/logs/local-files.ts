import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Log files in a local directory: a copy of the S3 tree or any `*.json.gz` / `*.json` files,
 * walked recursively. The caller says which relative paths it wants (log files, and partitions
 * that can hold the window).
 */

export interface LocalScan {
  files: string[];
  bytes: number;
  /** Files under the directory that are not log files (or not of the window). */
  skipped: number;
}

export function scanDirectory(root: string, accept: (relPath: string, size: number) => boolean): LocalScan {
  const files: string[] = [];
  let bytes = 0;
  let skipped = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.isFile()) {
        const size = statSync(path).size;
        if (accept(relative(root, path), size)) {
          files.push(path);
          bytes += size;
        } else skipped++;
      }
    }
  };
  walk(root);
  return { files, bytes, skipped };
}

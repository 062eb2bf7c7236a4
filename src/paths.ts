// Where the installed project lives, whether running from src/ (tests) or dist/src/ (built), and where in the data
// folder a node keeps what is its own.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A node's receive journal and temp files: the data folder itself, or its own folder when several nodes share it. */
export function nodeOwnDir(dataDir: string, nodeId: string, shared: boolean): string {
  return shared ? path.join(dataDir, 'nodes', nodeId) : dataDir;
}

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports modules of a built dist directory by their path inside it (`config.js`,
 * `mail/outbox.js`), so a bench can load two builds of the code and compare them.
 */
export function builtModules(dist: string) {
  return (path: string) => import(pathToFileURL(join(dist, path)).href);
}

/** CPU time (user + system) the calling thread has used so far, in microseconds. */
export function threadCpuMicros(): number {
  const { user, system } = process.threadCpuUsage();
  return user + system;
}

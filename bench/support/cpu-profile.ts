import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A `--cpu-prof` profile, as V8 writes it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

/**
 * Gives every frame in a bundled file (dist/main.js since the server is one bundle) the file
 * and line it was built from, read from the bundle's source map: without it Fastify, Kysely,
 * zod and Rekey's own modules would all be one "package". Frames in files without a map stay
 * as they are. Returns the same profile, its call frames rewritten.
 */
export function resolveBundledFrames(profile: CpuProfile): CpuProfile {
  const maps = new Map<string, { map: SourceMap; directory: string } | null>();
  const mapFor = (url: string) => {
    if (!maps.has(url)) {
      const path = url.startsWith('file://') ? fileURLToPath(url) : null;
      const mapPath = path ? `${path}.map` : null;
      maps.set(
        url,
        mapPath && existsSync(mapPath)
          ? {
              map: new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))),
              directory: dirname(mapPath),
            }
          : null,
      );
    }
    return maps.get(url) ?? null;
  };
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const bundle = frame.url ? mapFor(frame.url) : null;
    if (!bundle) continue;
    const entry = bundle.map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!('originalSource' in entry)) continue;
    frame.url = pathToFileURL(resolve(bundle.directory, entry.originalSource)).href;
    frame.lineNumber = entry.originalLine;
    frame.columnNumber = entry.originalColumn;
  }
  return profile;
}

export function readCpuProfile(file: string): CpuProfile {
  return resolveBundledFrames(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
}

/** Where a frame's code comes from: an npm package, a part of Rekey, a Node module, or V8. */
export function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  const npmPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (npmPackage) return npmPackage;
  const own = /\/(?:src|dist)\/([^/]+)/.exec(url)?.[1];
  if (own) return `rekey:${own.replace(/\.(?:[cm]?js|tsx?)$/, '')}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return functionName || url || '(native)';
}

export function frameLabel(frame: ProfileNode['callFrame']): string {
  const place = frame.url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\/.*\/(src|dist)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${place}:${frame.lineNumber + 1}`;
}

export interface Stall {
  /** Milliseconds from the profile's start. */
  atMs: number;
  durationMs: number;
  /** The profile nodes of the samples taken inside it, one per sample. */
  samples: number[];
}

/**
 * The samples taken inside each of `intervals` ([start, end] in microseconds of the clock
 * V8's profiles keep, as the bench's event-loop probe records its stalls). A stall with
 * fewer samples than its length in sampling intervals is the thread waiting for a core as
 * well as working.
 */
export function samplesWithin(
  profile: CpuProfile,
  intervals: readonly (readonly [number, number])[],
): Stall[] {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const times: number[] = [];
  let clockUs = profile.startTime;
  for (const index of samples.keys()) {
    clockUs += deltas[index] ?? 0;
    times.push(clockUs);
  }
  return intervals.map(([startUs, endUs]) => {
    const inside: number[] = [];
    // Sample times only grow: find the first inside by bisection.
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((times[middle] ?? 0) < startUs) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < times.length && (times[index] ?? 0) <= endUs; index += 1) {
      const sample = samples[index];
      if (sample !== undefined) inside.push(sample);
    }
    return {
      atMs: (startUs - profile.startTime) / 1000,
      durationMs: (endUs - startUs) / 1000,
      samples: inside,
    };
  });
}

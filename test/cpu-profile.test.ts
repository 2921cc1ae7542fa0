import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  packageOf,
  resolveBundledFrames,
  samplesWithin,
} from '../bench/support/cpu-profile.ts';

const directory = mkdtempSync(join(tmpdir(), 'rekey-cpu-profile-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const frame = (url: string, lineNumber: number, columnNumber = 0) => ({
  functionName: 'f',
  url,
  lineNumber,
  columnNumber,
});

describe("the profile summary's reading of a bundled server", () => {
  it('names the package or module each bundled frame was built from', () => {
    mkdirSync(join(directory, 'dist'));
    const bundle = join(directory, 'dist', 'main.js');
    writeFileSync(bundle, 'one();\ntwo();\n');
    // Generated line 1 ← fastify's route.js line 1; line 2 ← src/reset/verify.ts line 3.
    const map = {
      version: 3,
      sources: ['../node_modules/fastify/lib/route.js', '../src/reset/verify.ts'],
      names: [],
      mappings: 'AAAA;ACEA',
    };
    writeFileSync(`${bundle}.map`, JSON.stringify(map));
    const url = pathToFileURL(bundle).href;
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 1,
      nodes: [
        { id: 1, callFrame: frame(url, 0) },
        { id: 2, callFrame: frame(url, 1, 4) },
        { id: 3, callFrame: frame('node:internal/timers', 10) },
        { id: 4, callFrame: frame(pathToFileURL(join(directory, 'other.js')).href, 7) },
      ],
    };
    const [fastify, own, timers, unmapped] = resolveBundledFrames(profile).nodes.map(
      (n) => n.callFrame,
    );
    expect(fastify && packageOf(fastify)).toBe('fastify');
    expect(own && packageOf(own)).toBe('rekey:reset');
    expect(own?.lineNumber).toBe(2);
    expect(timers && packageOf(timers)).toBe('node:internal');
    expect(unmapped?.lineNumber).toBe(7);
  });
});

describe('the samples inside the stalls the probe recorded', () => {
  it('takes those timed within each interval, on the profile clock', () => {
    const profile: CpuProfile = {
      startTime: 50_000,
      endTime: 60_000,
      nodes: [],
      samples: [1, 2, 3, 4, 5, 6],
      // Sample times: 51, 52, 57, 58, 59, 60 ms.
      timeDeltas: [1000, 1000, 5000, 1000, 1000, 1000],
    };
    expect(
      samplesWithin(profile, [
        [52_500, 58_000],
        [59_500, 61_000],
        [40_000, 45_000],
      ]),
    ).toEqual([
      { atMs: 2.5, durationMs: 5.5, samples: [3, 4] },
      { atMs: 9.5, durationMs: 1.5, samples: [6] },
      { atMs: -10, durationMs: 5, samples: [] },
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { START } from '../bench/support/server.ts';

/** The README's command for an API process, as a shell would join its continued lines. */
function readmeApiCommand(): string {
  const readme = readFileSync('README.md', 'utf8');
  const block = /^# API processes,[^\n]*\n((?:[^\n]*\\\n)*[^\n]*)\n/m.exec(readme);
  if (!block?.[1]) throw new Error('README.md has no "# API processes" command');
  return block[1].replaceAll('\\\n', ' ').replace(/\s+/g, ' ').trim();
}

describe("the README's production command", () => {
  // The memory settings are measured choices (README, "Processes"): an operator copying the
  // README's command must get every one of them, not only the ones `npm start` happened to
  // have when the README was written.
  it('carries every variable and node flag of npm start', () => {
    const words = readmeApiCommand().split(' ');
    for (const [name, value] of Object.entries(START.env)) {
      expect(words).toContain(`${name}=${value}`);
    }
    for (const flag of START.nodeArgs) expect(words).toContain(flag);
    expect(words.at(-1)).toBe('dist/main.js');
  });

  it("keeps argon2id's 19 MiB blocks in glibc's heap, with fixed thresholds", () => {
    const mmapThreshold = Number(START.env.MALLOC_MMAP_THRESHOLD_);
    const trimThreshold = Number(START.env.MALLOC_TRIM_THRESHOLD_);
    expect(START.env.MALLOC_ARENA_MAX).toBe('1');
    // Above the block (19456 KiB), at most glibc's own ceiling for the threshold (32 MiB).
    expect(mmapThreshold).toBeGreaterThan(19456 * 1024);
    expect(mmapThreshold).toBeLessThanOrEqual(32 * 1024 * 1024);
    // Two freed blocks at the top of the heap stay there for the next two hashes.
    expect(trimThreshold).toBeGreaterThan(2 * 19456 * 1024);
  });
});

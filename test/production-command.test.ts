import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { START } from '../bench/support/server.ts';

/** The README's command under `# <title>,` (or `:`), as a shell would join its continued lines. */
function readmeCommand(title: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const block = new RegExp(`^# ${title}[,:][^\\n]*\\n((?:[^\\n]*\\\\\\n)*[^\\n]*)\\n`, 'm').exec(
    readme,
  );
  if (!block?.[1]) throw new Error(`README.md has no "# ${title}" command`);
  return block[1].replaceAll('\\\n', ' ').replace(/\s+/g, ' ').trim();
}

describe("the README's production command", () => {
  // The memory settings are measured choices (README, "Processes"): an operator copying the
  // README's command must get every one of them, not only the ones `npm start` happened to
  // have when the README was written.
  it.each([
    ['API processes', ['dist/main.js']],
    ['Mail workers', ['dist/cli.js', 'worker']],
  ])('carries every variable and node flag of npm start (%s)', (title, script) => {
    const words = readmeCommand(title).split(' ');
    for (const [name, value] of Object.entries(START.env)) {
      expect(words).toContain(`${name}=${value}`);
    }
    for (const flag of START.nodeArgs) expect(words).toContain(flag);
    expect(words.slice(-script.length)).toEqual(script);
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

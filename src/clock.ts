/** The time as a seam: tests pass a fixed clock instead of patching Date. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

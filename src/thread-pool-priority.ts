import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/**
 * Puts libuv's thread pool, where argon2id derives its keys, below the event loop in CPU
 * priority (Linux; elsewhere nothing happens). A burst of logins keeps every core hashing;
 * at equal priority the kernel then makes the woken event loop wait for a time slice, and
 * every other request waits with it (12–26 ms stalls in the bench on 2 cores). Ten nice
 * levels give the loop about 9× a hashing thread's weight, so it runs as soon as it has
 * work, and hashing still gets all the CPU the loop leaves; it also gives way to the other
 * processes of the machine at their default priority (`THREAD_POOL_NICE=0` turns this off).
 * Returns the threads lowered.
 */
export async function lowerThreadPoolPriority(nice: number): Promise<number> {
  if (process.platform !== 'linux' || nice <= 0) return 0;
  // libuv starts every thread of its pool with the pool's first job.
  await stat(import.meta.dirname);
  let lowered = 0;
  for (const id of readdirSync('/proc/self/task')) {
    if (readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
    const thread = Number(id);
    // Only ever lower: a process started under `nice` already may not raise itself back.
    setPriority(thread, Math.max(getPriority(thread), nice));
    lowered += 1;
  }
  return lowered;
}

import { emailKey } from '../accounts/email.ts';
import { recordAuditEventForEmailKey } from '../audit/audit-log.ts';
import type { OutboxMessage } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { type PurgeResult, purgeExpired } from '../operations/purge.ts';
import { processResetRequests } from '../reset/process-reset-requests.ts';
import { composeMail } from './compose.ts';
import {
  claimDueMail,
  markMailFailed,
  markMailSent,
  releaseClaimedMail,
  scheduleMailRetry,
} from './outbox.ts';
import { type MailTransport, SMTP_SEND_TIMEOUT_MS } from './transport.ts';

export interface MailWorkerOptions {
  /** How often to look for work nobody woke us for (other processes' requests, retries). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Forgot-password requests handled per transaction. */
  requestBatchSize?: number;
  /** Full batches of requests one pass may handle (see MAX_REQUEST_BATCHES_PER_PASS). */
  maxRequestBatchesPerPass?: number;
  /**
   * After a pass that found work but not a full batch, how long to let more requests
   * gather before the next one: a batch's shared queries then serve many requests.
   */
  batchWindowMs?: number;
  /** How long a claimed message is ours before another worker may take it over. */
  leaseMs?: number;
  /**
   * Every send ends this long before the lease does (see LEASE_MARGIN_MS): a send's
   * deadline is the earlier of the transport's send timeout and the lease's end less this.
   */
  leaseMarginMs?: number;
  /**
   * A send is started only with at least this long left before that deadline; with less,
   * the pass stops and gives the messages it has not tried back, due again at once.
   */
  minSendWindowMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface MailWorker {
  start(): void;
  /**
   * Finishes the passes in flight (a batch of requests; at most a batch of mails, each inside
   * its lease), then stops.
   */
  stop(): Promise<void>;
  wake(): void;
  /**
   * One pass: pending requests → tokens and mails, then due mails → the transport. The
   * running worker (start()) does the two in lanes of their own, side by side.
   */
  runOnce(): Promise<PassResult>;
}

export interface PassResult {
  requests: number;
  sent: number;
  failed: number;
  /** Claimed but given back untried: the lease had too little time left to send them. */
  released: number;
  purged?: PurgeResult;
}

/**
 * How long before its lease ends a send must be over. Past the abort, the worker still has
 * to record the outcome (the mark-sent transaction, which can wait for a busy pool) before
 * another worker may claim the message; and the abort itself is a timer, which fires late
 * when the event loop is held up (password hashing, a long GC). Leases are also compared
 * across hosts, whose clocks differ by NTP's error (milliseconds). 5 s covers these with
 * room, and leaves 55 s of the default 60 s lease: the first sends of a pass get the whole
 * 30 s send timeout.
 */
export const LEASE_MARGIN_MS = 5000;

/**
 * The least time worth starting a send with: a pooled send takes milliseconds, but one that
 * opens a connection waits for the server's greeting (100 ms for smtp-server, seconds for
 * Postfix's postscreen). A send started with less would mostly be cut short and spend one
 * of the message's retries for nothing.
 */
export const MIN_SEND_WINDOW_MS = 1000;

/**
 * A pass over the requests takes batch after batch while they come full, up to this many
 * (1000 requests), yielding between two. The worker used to take one batch, then send up to
 * 20 mails, in one loop: under a burst it handled ~170 requests a second (2026-12-07, `npm
 * run bench -- --only forgot`: 1.7 k of 138 k in 10 s), and an address typed after a burst
 * waited behind all of it, whether the requests before it named accounts or not. The bound
 * is how long runOnce() keeps its mail waiting, and how often the lane checks for stop().
 */
export const MAX_REQUEST_BATCHES_PER_PASS = 20;

type WorkerDeps = Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'logger' | 'metrics'>;

export function createMailWorker(
  deps: WorkerDeps,
  transport: MailTransport,
  options: MailWorkerOptions = {},
): MailWorker {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 20;
  const requestBatchSize = options.requestBatchSize ?? 50;
  const maxRequestBatches = options.maxRequestBatchesPerPass ?? MAX_REQUEST_BATCHES_PER_PASS;
  const batchWindowMs = options.batchWindowMs ?? 10;
  const leaseMs = options.leaseMs ?? 60_000;
  const leaseMarginMs = options.leaseMarginMs ?? LEASE_MARGIN_MS;
  const minSendWindowMs = options.minSendWindowMs ?? MIN_SEND_WINDOW_MS;
  if (leaseMs - leaseMarginMs < minSendWindowMs) {
    throw new Error(
      `the mail lease (${leaseMs} ms) leaves no time to send past its margin (${leaseMarginMs} ms)`,
    );
  }
  const sendTimeoutMs = transport.sendTimeoutMs ?? SMTP_SEND_TIMEOUT_MS;
  const sendConcurrency = Math.max(1, transport.maxConcurrentSends ?? 1);
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
  const log = deps.logger.child({ component: 'mail-worker' });

  let running = false;
  let loop: Promise<void> | undefined;
  // Set by stop() until the loop has ended: the pass in flight handles no further batch.
  let stopping = false;
  const requestLane = createLane();
  const mailLane = createLane();
  // Housekeeping runs on the injected clock: the first pass does it, then every interval.
  let nextHousekeepingAt = Number.NEGATIVE_INFINITY;

  async function deliver(): Promise<{ sent: number; failed: number; released: number }> {
    const outcome = { sent: 0, failed: 0, released: 0 };
    const claimedAt = deps.clock.now();
    const messages = await claimDueMail(deps.db, deps.dialect, claimedAt, batchSize, leaseMs);
    if (messages.length === 0) return outcome;
    // The lease as claimDueMail wrote it; every send of the pass must be over before this.
    const leasedUntil = claimedAt + leaseMs;
    let next = 0;
    // As many sends at once as the transport has connections: against a relay a send is
    // mostly waiting for its replies, and one at a time would bound delivery by round trips.
    async function sendInTurn(): Promise<void> {
      while (next < messages.length) {
        const index = next++;
        const message = messages[index] as OutboxMessage;
        // Judged on the injected clock as each send starts: the time left of the lease
        // (less the margin) bounds the send, as does the transport's own timeout.
        const left = leasedUntil - leaseMarginMs - deps.clock.now();
        if (left < minSendWindowMs) {
          const untried = messages.slice(index);
          next = messages.length;
          outcome.released += await release(untried, leasedUntil);
          return;
        }
        const result = await sendOne(message, left);
        if (result !== 'retry') outcome[result] += 1;
      }
    }
    const runners = Math.min(sendConcurrency, messages.length);
    const settled = await Promise.allSettled(Array.from({ length: runners }, sendInTurn));
    // Every runner has ended before the pass does (stop() waits for the pass); the first
    // error, a database one, then fails the pass as it would have failed a sequential one.
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    return outcome;
  }

  /** One claimed mail to the transport, and its outcome recorded. */
  async function sendOne(
    message: OutboxMessage,
    left: number,
  ): Promise<'sent' | 'failed' | 'retry'> {
    const byLease = left < sendTimeoutMs;
    const signal = AbortSignal.timeout(byLease ? left : sendTimeoutMs);
    try {
      // The deadline runs from before composing, so composing counts against it too.
      const composed = await composeMail(message, deps.config);
      await transport.send(
        { from: deps.config.mailFrom, to: message.recipient, ...composed },
        { signal },
      );
      // Marked sent and audited together: a failure here is the same as a failed mark.
      await deps.db.transaction().execute(async (trx) => {
        await markMailSent(trx, message.id, deps.clock.now());
        await recordMailSent(trx, message);
      });
      deps.metrics.mailsSent.inc({ kind: message.kind });
      log.info({ mailId: message.id, kind: message.kind, attempts: message.attempts }, 'mail sent');
      return 'sent';
    } catch (error) {
      // nodemailer's abort error says only "Message sending aborted": say which deadline.
      const deadline = byLease
        ? `the send would outlast the lease (it must end ${leaseMarginMs} ms before it)`
        : `the send outlasted its timeout (${sendTimeoutMs} ms)`;
      const reason = signal.aborted ? `${errorMessage(error)}: ${deadline}` : errorMessage(error);
      return (await recordFailure(message, reason)) ? 'failed' : 'retry';
    }
  }

  async function release(
    messages: readonly { id: number }[],
    leasedUntil: number,
  ): Promise<number> {
    const released = await releaseClaimedMail(
      deps.db,
      messages.map((message) => message.id),
      leasedUntil,
    );
    log.warn(
      { released, claimed: messages.length, leasedUntil },
      'mail lease running out: unsent mails given back',
    );
    return released;
  }

  /** A retry with backoff, or failed for good past the expiry; true when failed for good. */
  async function recordFailure(
    message: { id: number; kind: string; attempts: number; expires_at: number },
    reason: string,
  ): Promise<boolean> {
    const now = deps.clock.now();
    const retryAt = now + Math.min(retryBaseMs * 2 ** (message.attempts - 1), retryMaxMs);
    if (retryAt >= message.expires_at) {
      await markMailFailed(deps.db, message.id, reason);
      deps.metrics.mailsFailed.inc({ kind: message.kind });
      log.error(
        { mailId: message.id, kind: message.kind, attempts: message.attempts, reason },
        'mail failed for good',
      );
      return true;
    }
    await scheduleMailRetry(deps.db, message.id, retryAt, reason);
    log.warn(
      { mailId: message.id, kind: message.kind, attempts: message.attempts, reason, retryAt },
      'mail will be retried',
    );
    return false;
  }

  async function recordMailSent(
    db: WorkerDeps['db'],
    message: { id: number; kind: string; recipient: string },
  ) {
    // The recipient is always an account's stored address, so the account is found by it.
    await recordAuditEventForEmailKey(db, deps.clock.now(), emailKey(message.recipient), {
      type: 'email_sent',
      details: { kind: message.kind, mailId: message.id },
    });
  }

  async function housekeeping(): Promise<PurgeResult | undefined> {
    const intervalMs = deps.config.housekeepingIntervalSeconds * 1000;
    const now = deps.clock.now();
    if (intervalMs <= 0 || now < nextHousekeepingAt) return undefined;
    nextHousekeepingAt = now + intervalMs;
    const purged = await purgeExpired(deps.db, now, {
      outboxRetentionDays: deps.config.outboxRetentionDays,
    });
    log.info({ purged }, 'housekeeping done');
    return purged;
  }

  /** Pending requests, a batch at a time while batches come full; how many were handled. */
  async function handleRequests(): Promise<number> {
    let requests = 0;
    for (let batch = 0; batch < maxRequestBatches; batch += 1) {
      // On SQLite a batch runs without yielding: the answers in the same process go between.
      if (batch > 0) await yieldToEventLoop();
      const handled = await processResetRequests(deps, requestBatchSize);
      requests += handled;
      if (handled < requestBatchSize || stopping) break;
    }
    return requests;
  }

  async function runOnce(): Promise<PassResult> {
    const requests = await handleRequests();
    const { sent, failed, released } = await deliver();
    const purged = await housekeeping();
    return { requests, sent, failed, released, ...(purged ? { purged } : {}) };
  }

  /**
   * Runs `pass` while it finds work; with none, sleeps the poll interval or until woken.
   * After a pass that found work but did not fill up, waits `gatherMs` (a wake does not cut
   * that short, stop() does) so that more work joins the next pass.
   */
  async function runLane(
    lane: Lane,
    pass: () => Promise<{ busy: boolean; full: boolean }>,
    gatherMs: number,
  ): Promise<void> {
    while (running) {
      lane.woken = false;
      let busy = false;
      let full = false;
      try {
        ({ busy, full } = await pass());
      } catch (error) {
        log.error({ err: error }, 'mail worker pass failed');
      }
      if (!running) break;
      if (!busy && !lane.woken) await lane.sleep(pollIntervalMs);
      else if (!full && gatherMs > 0) await lane.sleep(gatherMs, { gathering: true });
    }
  }

  /**
   * Two lanes side by side: the requests, and the mail with housekeeping. Each waits on the
   * database or the relay most of its pass, so the other goes on meanwhile; in one loop,
   * each pass of requests also waited for up to 20 sends (see MAX_REQUEST_BATCHES_PER_PASS).
   */
  async function run(): Promise<void> {
    await Promise.all([
      runLane(
        requestLane,
        async () => {
          const requests = await handleRequests();
          if (requests > 0) mailLane.wake(); // their mails, if any, are due now
          return { busy: requests > 0, full: requests >= requestBatchSize * maxRequestBatches };
        },
        batchWindowMs,
      ),
      runLane(
        mailLane,
        async () => {
          const { sent, failed, released } = await deliver();
          await housekeeping();
          // Mails given back for want of lease are due at once: the next pass takes them.
          const full = sent + failed >= batchSize || released > 0;
          return { busy: full, full };
        },
        0,
      ),
    ]);
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      stopping = true;
      requestLane.interrupt();
      mailLane.interrupt();
      try {
        await loop;
      } finally {
        stopping = false;
        loop = undefined;
      }
    },
    wake() {
      requestLane.wake();
      mailLane.wake();
    },
    runOnce,
  };
}

interface Lane {
  /** Set by wake(): the lane runs its next pass at once instead of sleeping. */
  woken: boolean;
  sleep(ms: number, options?: { gathering?: boolean }): Promise<void>;
  /** Ends a sleep, unless the lane is gathering work for its next pass. */
  wake(): void;
  /** Ends any sleep (stop()). */
  interrupt(): void;
}

function createLane(): Lane {
  let wakeUp: (() => void) | undefined;
  let gathering = false;
  const lane: Lane = {
    woken: false,
    sleep(ms, options = {}) {
      gathering = options.gathering ?? false;
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          gathering = false;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake() {
      lane.woken = true;
      if (!gathering) wakeUp?.();
    },
    interrupt: () => wakeUp?.(),
  };
  return lane;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

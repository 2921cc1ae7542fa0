import { emailKey } from '../accounts/email.ts';
import { recordAuditEventForEmailKey } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { type PurgeResult, purgeExpired } from '../operations/purge.ts';
import { processResetRequests } from '../reset/process-reset-requests.ts';
import { composeMail } from './compose.ts';
import { claimDueMail, markMailFailed, markMailSent, scheduleMailRetry } from './outbox.ts';
import type { MailTransport } from './transport.ts';

export interface MailWorkerOptions {
  /** How often to look for work nobody woke us for (other processes' requests, retries). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Forgot-password requests handled per transaction. */
  requestBatchSize?: number;
  /**
   * After a pass that found work but not a full batch, how long to let more requests
   * gather before the next one: a batch's shared queries then serve many requests.
   */
  batchWindowMs?: number;
  /** How long a claimed message is ours before another worker may take it over. */
  leaseMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface MailWorker {
  start(): void;
  /** Finishes the message in flight, then stops. */
  stop(): Promise<void>;
  wake(): void;
  /** One pass: pending requests → tokens and mails, then due mails → the transport. */
  runOnce(): Promise<{ requests: number; sent: number; failed: number; purged?: PurgeResult }>;
}

type WorkerDeps = Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'logger' | 'metrics'>;

export function createMailWorker(
  deps: WorkerDeps,
  transport: MailTransport,
  options: MailWorkerOptions = {},
): MailWorker {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 20;
  const requestBatchSize = options.requestBatchSize ?? 50;
  const batchWindowMs = options.batchWindowMs ?? 10;
  const leaseMs = options.leaseMs ?? 60_000;
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
  const log = deps.logger.child({ component: 'mail-worker' });

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  // While a batch gathers, a wake (a new request) does not cut the wait short; stop() does.
  let gathering = false;
  // Housekeeping runs on the injected clock: the first pass does it, then every interval.
  let nextHousekeepingAt = Number.NEGATIVE_INFINITY;

  async function deliver(): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    const messages = await claimDueMail(
      deps.db,
      deps.dialect,
      deps.clock.now(),
      batchSize,
      leaseMs,
    );
    for (const message of messages) {
      try {
        const composed = await composeMail(message, deps.config);
        await transport.send({ from: deps.config.mailFrom, to: message.recipient, ...composed });
        // Marked sent and audited together: a failure here is the same as a failed mark.
        await deps.db.transaction().execute(async (trx) => {
          await markMailSent(trx, message.id, deps.clock.now());
          await recordMailSent(trx, message);
        });
        sent += 1;
        deps.metrics.mailsSent.inc({ kind: message.kind });
        log.info(
          { mailId: message.id, kind: message.kind, attempts: message.attempts },
          'mail sent',
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const now = deps.clock.now();
        const retryAt = now + Math.min(retryBaseMs * 2 ** (message.attempts - 1), retryMaxMs);
        if (retryAt >= message.expires_at) {
          await markMailFailed(deps.db, message.id, reason);
          failed += 1;
          deps.metrics.mailsFailed.inc({ kind: message.kind });
          log.error(
            { mailId: message.id, kind: message.kind, attempts: message.attempts, reason },
            'mail failed for good',
          );
        } else {
          await scheduleMailRetry(deps.db, message.id, retryAt, reason);
          log.warn(
            { mailId: message.id, kind: message.kind, attempts: message.attempts, reason, retryAt },
            'mail will be retried',
          );
        }
      }
    }
    return { sent, failed };
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

  async function runOnce() {
    const requests = await processResetRequests(deps, requestBatchSize);
    const { sent, failed } = await deliver();
    const purged = await housekeeping();
    return { requests, sent, failed, ...(purged ? { purged } : {}) };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      let busy = false;
      let full = false;
      try {
        const result = await runOnce();
        full = result.requests >= requestBatchSize || result.sent + result.failed >= batchSize;
        busy = full || result.requests > 0;
      } catch (error) {
        log.error({ err: error }, 'mail worker pass failed');
      }
      if (!running) break;
      if (!busy && !woken) await sleep(pollIntervalMs);
      else if (!full && batchWindowMs > 0) {
        gathering = true;
        await sleep(batchWindowMs);
        gathering = false;
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
    wake() {
      woken = true;
      if (!gathering) wakeUp?.();
    },
    runOnce,
  };
}

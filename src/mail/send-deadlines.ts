/**
 * Deadlines for the sends of one worker pass, one at a time, with one timer and one
 * AbortController for the whole pass instead of an `AbortSignal.timeout` per mail (about
 * 0.1-0.2 ms of CPU each). The sends of a pass are sequential and, in real time, each one's
 * deadline is no earlier than the one before (the earlier of its start + the send timeout and
 * the pass's fixed lease deadline), so the timer armed for the first send is still early
 * enough for the next: when it fires it aborts the send in flight if that one's deadline has
 * passed, and otherwise waits for it. A fast pass arms the timer once.
 */
export interface SendDeadlines {
  /**
   * A send starts: its signal aborts, with `reason` as the abort reason, once `budgetMs` of
   * real time have passed unless `end()` comes first.
   */
  begin(budgetMs: number, reason: string): AbortSignal;
  /** The send in flight has finished; its deadline no longer applies. */
  end(): void;
  /** The pass is over: clears the timer. */
  dispose(): void;
}

/** `now` is a monotonic millisecond clock (real time: timers run on it, not on deps.clock). */
export function createSendDeadlines(now: () => number = () => performance.now()): SendDeadlines {
  let controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  // The send in flight: when it must be over, and why it is aborted then.
  let deadline: number | undefined;
  let abortReason = '';

  function arm(at: number) {
    if (timer !== undefined) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(check, Math.max(0, at - now()));
    timer.unref?.();
  }

  function check() {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    // Between sends: the next begin() arms the timer again.
    if (deadline === undefined) return;
    if (now() < deadline) return arm(deadline);
    deadline = undefined;
    controller.abort(new Error(abortReason));
  }

  return {
    begin(budgetMs, reason) {
      // An aborted signal stays aborted: the sends after an abort get a new one.
      if (controller.signal.aborted) controller = new AbortController();
      deadline = now() + budgetMs;
      abortReason = reason;
      // A later deadline is caught when the timer fires; only an earlier one (a clock that
      // jumped, a shorter send timeout) needs the timer moved.
      if (deadline < timerAt) arm(deadline);
      return controller.signal;
    },
    end() {
      deadline = undefined;
    },
    dispose() {
      deadline = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
    },
  };
}

/**
 * The deliveries a continuously running dispatcher has started and not yet settled: counted per target,
 * waited on (any one settling wakes the dispatcher to claim again), drained at shutdown. A settle that
 * failed (the store went away mid-transaction) is kept and rethrown by the next `rethrowFailure`, so the
 * worker's loop logs it and backs off; the posting's lease lapses and it is read back and retried.
 */
export function createBackgroundDeliveries() {
  const running = new Set<Promise<void>>();
  const perTarget = new Map<string, number>();
  let waiters: (() => void)[] = [];
  let failure: { error: unknown } | undefined;

  function settled(targetKey: string): void {
    perTarget.set(targetKey, (perTarget.get(targetKey) ?? 1) - 1);
    const wake = waiters;
    waiters = [];
    for (const resolve of wake) resolve();
  }

  return {
    get size(): number {
      return running.size;
    },
    of(targetKey: string): number {
      return perTarget.get(targetKey) ?? 0;
    },
    start(targetKey: string, delivery: Promise<void>): void {
      perTarget.set(targetKey, (perTarget.get(targetKey) ?? 0) + 1);
      const tracked = delivery
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          running.delete(tracked);
          settled(targetKey);
        });
      running.add(tracked);
    },
    /** Resolves when a delivery settles, or after `timeoutMs`, whichever is first. */
    async nextSettle(timeoutMs: number): Promise<void> {
      if (running.size === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async drain(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
    /** Throws the first settle failure since the last call, if there was one. */
    rethrowFailure(): void {
      const taken = failure;
      failure = undefined;
      if (taken) throw taken.error;
    },
  };
}

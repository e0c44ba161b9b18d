// Runs async jobs from an iterator with at most `limit` in flight, pulling the next job only when
// one finishes, so memory holds `limit` replies at a time however long the list. The first failure
// stops new jobs; the ones already running are awaited before it is rethrown, so nothing writes to
// the replica after the caller has moved on.

export async function runLimited<T>(jobs: Iterable<T>, limit: number, work: (job: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const iterator = jobs[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (failure || signal?.aborted) return;
      const next = iterator.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  if (failure) throw failure.error;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

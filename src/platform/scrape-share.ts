/**
 * One load shared by the two metric collectors that read it in one scrape (a scrape collects them
 * concurrently): the first asks and starts it, the second takes the pending result and clears it, so the
 * next scrape loads afresh. For exactly two readers; a third would start a load of its own.
 */
export function sharedByTwo<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending) {
      const result = pending;
      pending = undefined;
      return result;
    }
    pending = load();
    return pending;
  };
}

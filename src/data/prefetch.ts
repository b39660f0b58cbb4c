/**
 * A bounded read-ahead queue: keeps up to `depth` loads in flight while the consumer works on the
 * current item, so training never waits on file reads or preprocessing that can overlap it. Results
 * come back in order.
 */
export async function* prefetch<T>(loads: Iterable<() => Promise<T>>, depth = 2): AsyncGenerator<T> {
  const iterator = loads[Symbol.iterator]();
  const inFlight: Promise<T>[] = [];
  const fill = () => {
    while (inFlight.length < depth) {
      const next = iterator.next();
      if (next.done) return;
      const promise = next.value();
      // Mark as handled so a failure surfaces when awaited in order, not as an unhandled rejection.
      promise.catch(() => {});
      inFlight.push(promise);
    }
  };
  fill();
  while (inFlight.length > 0) {
    const value = await inFlight.shift()!;
    fill();
    yield value;
  }
}

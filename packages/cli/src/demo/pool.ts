/**
 * Runs `fns` with at most `limit` in flight (the demo's and `lvr ablate`'s job processes); rejects with the first
 * error after the others settle, so no child process is left running behind a failure.
 *
 * @example
 * await pool(jobs.map((j) => () => runLvr(['ablate', '--job', j], log, j)), 2);
 */
export async function pool(fns: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < fns.length) {
      const f = fns[next++] as () => Promise<unknown>;
      try { await f(); } catch (e) { errors.push(e); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, fns.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

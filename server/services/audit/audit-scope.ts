/**
 * Counts the audit rows written while one request runs, so the API layer can tell a mutation that audited itself
 * from one that did not (a refusal before the service ran, or a service without an audit of its own) and write the
 * missing row: every mutation, allowed or refused, leaves at least one.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<{ written: number }>();

export async function trackAuditRows<T>(run: () => Promise<T>): Promise<{ result: T; written: number }> {
  const state = { written: 0 };
  const result = await scope.run(state, run);
  return { result, written: state.written };
}

export function noteAuditRow(): void {
  const state = scope.getStore();
  if (state) state.written++;
}

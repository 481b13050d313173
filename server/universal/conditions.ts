/** Kubernetes-style conditions, as the seed's Condition {type, status, reason, message, last_transition_time}. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  /** ISO 8601 */
  lastTransitionTime: string;
}

/** Replaces the condition of the same type; the transition time moves only when the status changes. */
export function setCondition(
  conditions: readonly Condition[],
  next: Omit<Condition, "lastTransitionTime">,
  now = new Date(),
): Condition[] {
  const previous = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString();
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }].sort((a, b) =>
    a.type.localeCompare(b.type),
  );
}

export function parseConditions(value: unknown): Condition[] {
  return Array.isArray(value) ? (value as Condition[]) : [];
}

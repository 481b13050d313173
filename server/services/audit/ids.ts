import { randomBytes } from "node:crypto";

/** Sortable, collision-resistant ids for rows whose id must be known before insert (the audit hash covers it). */
export function createId(): string {
  return `a${Date.now().toString(36)}${randomBytes(10).toString("hex")}`;
}

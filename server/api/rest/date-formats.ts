/**
 * zod-openapi renders `z.date()` outputs as plain strings, but the gateway's JSON carries dates as ISO 8601 strings,
 * so the document should say `format: date-time`. Marking the date schemas of the published outputs in zod's global
 * registry (metadata only; parsing is unchanged) gets that from the generator without a second copy of any schema.
 */
import { z } from "zod";

function markDates(schema: unknown, seen: Set<unknown>): void {
  if (!(schema instanceof z.ZodType) || seen.has(schema)) return;
  seen.add(schema);
  if (schema instanceof z.ZodDate)
    z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), format: "date-time" });
  else if (schema instanceof z.ZodObject) for (const field of Object.values(schema.shape)) markDates(field, seen);
  else if (schema instanceof z.ZodArray) markDates(schema.element, seen);
  else if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional || schema instanceof z.ZodDefault)
    markDates(schema.unwrap(), seen);
  else if (schema instanceof z.ZodRecord) markDates(schema.valueType, seen);
  else if (schema instanceof z.ZodUnion) for (const option of schema.options) markDates(option, seen);
  else if (schema instanceof z.ZodPipe) markDates(schema.out, seen);
}

/** Marks the dates in the outputs of every procedure the gateway publishes. */
export function markOutputDates(procedures: Record<string, unknown>): void {
  const seen = new Set<unknown>();
  for (const procedure of Object.values(procedures)) {
    // tRPC keeps a procedure's parsers on its private `_def`; trpc-to-openapi reads them the same way.
    const def = (procedure as { _def?: { meta?: { openapi?: unknown }; output?: unknown } })._def;
    if (def?.meta?.openapi) markDates(def.output, seen);
  }
}

/** How the CLI reports a refusal or failure: the server's message, then each field issue on its own line. */
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { FieldIssue } from "@/server/universal/errors";

/** A failure the CLI itself detects (exit 1), e.g. a name that matches nothing. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

function isClientError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export function describeFailure(error: unknown): string {
  if (error instanceof CliError)
    return [error.message, ...error.issues.map((i) => `  ${i.field}: ${i.message}`)].join("\n");
  if (isClientError(error)) {
    const data = error.data;
    if (!data) return `cannot reach the portal: ${error.message}`;
    const lines = [`${data.code}: ${error.message}`];
    // A validation message already lists its fields; repeat them only when the message does not.
    for (const issue of data.issues ?? []) {
      if (!error.message.includes(`${issue.field}: ${issue.message}`)) lines.push(`  ${issue.field}: ${issue.message}`);
    }
    if (data.retryAfter) lines.push(`  retry after ${data.retryAfter} s`);
    return lines.join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}

import pino from "pino";

const globalForLog = globalThis as unknown as { ovcLogger?: pino.Logger };

/**
 * JSON logs to stdout. The redaction list is a second line of defence: call sites never pass secrets,
 * kubeconfigs, passwords or tokens in the first place.
 */
export function logger(): pino.Logger {
  globalForLog.ovcLogger ??= pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: { service: "open-vcluster" },
    redact: {
      paths: [
        "*.password",
        "*.token",
        "*.kubeconfig",
        "*.secret",
        "*.authorization",
        "*.cookie",
        "headers.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
  });
  return globalForLog.ovcLogger;
}

/**
 * The child's side of ./supervise.ts: its configuration arrives as the first IPC message, it says when it serves,
 * takes the connections the launcher accepted for it, and ends with the launcher (a closed IPC channel means the
 * launcher is gone, however it ended).
 */
import { Socket } from "node:net";
import { CONFIG_MESSAGE, CONNECTION_MESSAGE } from "./supervise";

function isMessage(message: unknown, type: string): message is { type: string; config?: unknown } {
  return typeof message === "object" && message !== null && "type" in message && message.type === type;
}

export function receiveConfig(): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isMessage(message, CONFIG_MESSAGE)) return;
      process.off("message", onMessage);
      resolve(message.config);
    };
    process.on("message", onMessage);
  });
}

export function reportReady(info: Record<string, unknown>): void {
  process.send?.({ type: "ready", ...info });
}

/** Connections the launcher hands over; they arrive paused (it read nothing from them). */
export function acceptHandedConnections(accept: (socket: Socket) => void): void {
  process.on("message", (message: unknown, handle: unknown) => {
    if (!isMessage(message, CONNECTION_MESSAGE)) return;
    // the client may have gone while the socket was in transit
    if (!(handle instanceof Socket) || handle.destroyed) return;
    accept(handle);
    handle.resume();
  });
}

/**
 * Runs `close` and exits on SIGTERM or when the launcher goes away. Ctrl-C reaches the whole process group; the
 * launcher decides then, so a child does not end (and get restarted) on its own.
 */
export function endWithLauncher(close: () => Promise<void>): void {
  let ending = false;
  const end = () => {
    if (ending) return;
    ending = true;
    const forced = setTimeout(() => process.exit(0), 5_000);
    forced.unref();
    close().finally(() => process.exit(0));
  };
  process.on("SIGTERM", end);
  process.on("SIGINT", () => undefined);
  process.on("disconnect", end);
}

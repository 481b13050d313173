/**
 * Runs an embedded service in a child process of its own and starts it again when it dies, so one service's crash
 * (an uncaught exception in a library, a WASM abort, kill -9) leaves the others and the web server running.
 *
 * With `hold`, the launcher itself listens on the service's address and hands every accepted connection to the
 * current child (as Node's cluster module does: https://nodejs.org/api/child_process.html#example-sending-a-socket-object,
 * with `pauseOnConnect` so the launcher reads nothing from it). The port then stays the launcher's across restarts:
 * no other local user can take it while the service is down and collect what the portal sends there. Connections
 * made while the child restarts wait for the next one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net, { type Server, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface SuperviseOptions<Ready> {
  /** for log lines: "embedded S3 store" */
  name: string;
  /** the child's module (TypeScript, run with tsx) */
  entry: string;
  /** sent to each child as its first IPC message (so secrets stay out of argv and the environment); read per start */
  config: () => unknown;
  /** what a child's "ready" message says, or null while it is not one */
  ready: (message: unknown) => Ready | null;
  /** an address the launcher listens on for the child; port 0 picks one, kept across restarts */
  hold?: { host: string; port: number };
  log?: (line: string) => void;
  /** restart delays: doubling from `initialMs` up to `maxMs`; back to `initialMs` after a child ran for a minute */
  backoff?: { initialMs: number; maxMs: number };
  /** how long a child may take to say it is ready */
  readyTimeoutMs?: number;
}

export interface Supervised<Ready> {
  /** what the first child reported */
  ready: Ready;
  /** the held port, when `hold` was given */
  port: number | undefined;
  /** the current child's pid, undefined between children */
  pid(): number | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

/** messages the launcher sends; the child's side is in ./supervised-child.ts */
export const CONFIG_MESSAGE = "config";
export const CONNECTION_MESSAGE = "connection";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STABLE_MS = 60_000;
const HELD_CONNECTIONS = 256;
const HELD_MS = 30_000;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (!address || typeof address === "string") reject(new Error("no TCP address"));
      else resolve(address.port);
    });
  });
}

export async function supervise<Ready>(options: SuperviseOptions<Ready>): Promise<Supervised<Ready>> {
  const log = options.log ?? ((line: string) => console.error(line));
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let child: ChildProcess | null = null;
  let ready = false;
  let stopped = false;
  let failures = 0;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let firstSettled = false;
  const held: { socket: Socket; timer: NodeJS.Timeout }[] = [];

  const handOver = (socket: Socket) => {
    const current = child;
    if (!current?.connected) return socket.destroy();
    try {
      current.send({ type: CONNECTION_MESSAGE }, socket, (error) => {
        if (error) socket.destroy();
      });
    } catch {
      socket.destroy();
    }
  };
  const hold = (socket: Socket) => {
    // a reset while the socket waits here must not become the launcher's uncaught error
    socket.on("error", () => socket.destroy());
    if (ready) return handOver(socket);
    if (held.length >= HELD_CONNECTIONS) return socket.destroy();
    const entry = { socket, timer: setTimeout(() => release(entry, true), HELD_MS) };
    held.push(entry);
  };
  const release = (entry: (typeof held)[number], destroy: boolean) => {
    clearTimeout(entry.timer);
    const at = held.indexOf(entry);
    if (at < 0) return;
    held.splice(at, 1);
    if (destroy) entry.socket.destroy();
    else handOver(entry.socket);
  };

  let listener: Server | undefined;
  let port: number | undefined;
  if (options.hold) {
    listener = net.createServer({ pauseOnConnect: true }, hold);
    port = await listen(listener, options.hold.host, options.hold.port);
    // e.g. EMFILE on accept: the listener goes on, the launcher must not die of it
    listener.on("error", (error) => log(`${options.name}: ${error.message}`));
  }

  const start = (): Promise<Ready> =>
    new Promise((resolve, reject) => {
      const startedAt = Date.now();
      const proc = spawn(process.execPath, ["--import", "tsx", options.entry], {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        env: process.env,
      });
      child = proc;
      let reported = false;
      const timer = setTimeout(() => {
        log(`${options.name} did not become ready within ${readyTimeoutMs} ms; killing it`);
        proc.kill("SIGKILL");
      }, readyTimeoutMs);
      proc.on("message", (message: unknown) => {
        const info = reported ? null : options.ready(message);
        if (info === null) return;
        reported = true;
        clearTimeout(timer);
        ready = true;
        for (const entry of [...held]) release(entry, false);
        resolve(info);
      });
      proc.on("error", (error) => log(`${options.name}: ${error.message}`));
      // from here on connections wait for the next child instead of going to a dying one
      proc.once("disconnect", () => {
        if (child === proc) ready = false;
      });
      proc.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (child === proc) {
          child = null;
          ready = false;
        }
        if (!reported) reject(new Error(`${options.name} exited (${signal ?? code}) before it was ready`));
        if (stopped) return;
        if (!firstSettled) return; // the first start's failure is the caller's to report
        failures = Date.now() - startedAt > STABLE_MS ? 0 : failures + 1;
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
        log(`${options.name} exited (${signal ?? `code ${code}`}); starting it again in ${delay} ms`);
        restartTimer = setTimeout(() => {
          restarts += 1;
          start().catch(() => undefined);
        }, delay);
      });
      proc.send({ type: CONFIG_MESSAGE, config: options.config() });
    });

  let firstReady: Ready;
  try {
    firstReady = await start();
  } catch (error) {
    listener?.close();
    throw error;
  } finally {
    firstSettled = true;
  }

  return {
    ready: firstReady,
    port,
    pid: () => (ready ? child?.pid : undefined),
    restarts: () => restarts,
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      for (const entry of [...held]) release(entry, true);
      const closing = listener ? new Promise<void>((resolve) => listener.close(() => resolve())) : Promise.resolve();
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        const killer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
      }
      await closing;
    },
  };
}

/**
 * Serves one PGlite database over the PostgreSQL wire protocol to many client connections.
 *
 * PGlite is a single backend session, so what the connections send must reach it in units that a real server
 * would keep apart: an extended-query sequence (Parse … Sync) or a simple Query runs as a whole, and an open
 * transaction keeps the session for its connection until it ends. `@electric-sql/pglite-socket` queues single
 * messages instead, so two pooled connections' Parse/Bind messages interleave and corrupt each other
 * ("bind message supplies 3 parameters, but prepared statement requires 2").
 * Every client must give the password (SCRAM-SHA-256, scram.ts) before its startup reaches PGlite, which would
 * otherwise trust anyone on the machine as superuser.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { scramExchange, type ScramExchange } from "./scram";

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const PASSWORD = 0x70; // 'p': SASLInitialResponse, SASLResponse

/** Authentication request ('R') with its code and data. */
function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.write("R", 0);
  head.writeInt32BE(8 + data.length, 1);
  head.writeInt32BE(code, 5);
  return Buffer.concat([head, data]);
}

/** A FATAL ErrorResponse ('E'), as PostgreSQL ends a refused connection. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

function startupUser(startup: Buffer): string {
  const params = startup.subarray(8).toString("utf8").split("\0");
  const at = params.indexOf("user");
  return at >= 0 ? params[at + 1] : "";
}

/** A FIFO lock: the connection holding it owns the PGlite session. */
class SessionLock {
  private tail: Promise<void> = Promise.resolve();
  owner: object | null = null;

  async acquire(owner: object): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.owner = owner;
    return () => {
      this.owner = null;
      release();
    };
  }
}

class Connection {
  private buffer = Buffer.alloc(0);
  private started = false;
  /** the startup message, held back until the password is proven */
  private startup: Buffer | null = null;
  private scram: ScramExchange | null = null;
  private initialSeen = false;
  private release: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    private readonly lock: SessionLock,
    private readonly socket: Socket,
    private readonly password: string,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.chain = this.chain
        .then(() => this.drain())
        .catch(() => {
          socket.destroy();
        });
    });
    socket.on("close", () => {
      this.chain = this.chain.then(() => this.abandon());
    });
    socket.on("error", () => socket.destroy());
  }

  private nextMessage(): Buffer | null {
    if (!this.started) {
      if (this.buffer.length < 8) return null;
      const length = this.buffer.readInt32BE(0);
      if (this.buffer.length < length) return null;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      return message;
    }
    if (this.buffer.length < 5) return null;
    const length = 1 + this.buffer.readInt32BE(1);
    if (this.buffer.length < length) return null;
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  private async drain(): Promise<void> {
    for (let message = this.nextMessage(); message; message = this.nextMessage()) {
      if (!this.started) {
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST) {
          this.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        }
        this.started = true;
        this.startup = message;
        this.scram = scramExchange(this.password);
        this.socket.write(authentication(10, Buffer.from("SCRAM-SHA-256\0\0")));
        continue;
      }
      const type = message[0];
      if (this.startup) {
        if (type !== PASSWORD || !(await this.authenticate(message))) return;
        continue;
      }
      if (type === TERMINATE) {
        this.socket.end();
        return;
      }
      await this.run(message, type === SYNC || type === QUERY);
    }
  }

  /** One step of the SASL exchange; false when the connection was refused and ended. */
  private async authenticate(message: Buffer): Promise<boolean> {
    const startup = this.startup;
    const scram = this.scram;
    if (!startup || !scram) return false;
    const refuse = () => {
      this.socket.end(fatal("28P01", `password authentication failed for user "${startupUser(startup)}"`));
      return false;
    };
    const body = message.subarray(5);
    if (!this.initialSeen) {
      // SASLInitialResponse: mechanism name, then the length and the client-first-message
      const nul = body.indexOf(0);
      if (nul < 0 || body.subarray(0, nul).toString() !== "SCRAM-SHA-256") return refuse();
      const serverFirst = scram.first(body.subarray(nul + 5).toString("utf8"));
      if (!serverFirst) return refuse();
      this.initialSeen = true;
      this.socket.write(authentication(11, Buffer.from(serverFirst)));
      return true;
    }
    const serverFinal = scram.final(body.toString("utf8"));
    if (!serverFinal) return refuse();
    this.socket.write(authentication(12, Buffer.from(serverFinal)));
    this.startup = null;
    this.scram = null;
    // PGlite answers the startup itself: AuthenticationOk, parameters, ReadyForQuery
    await this.run(startup, true);
    return true;
  }

  private async run(message: Buffer, endsUnit: boolean): Promise<void> {
    this.release ??= await this.lock.acquire(this);
    await this.db.execProtocolRawStream(new Uint8Array(message), {
      onRawData: (data) => {
        if (this.socket.writable) this.socket.write(data);
      },
    });
    if (endsUnit && !this.db.isInTransaction()) this.unlock();
  }

  private unlock(): void {
    const release = this.release;
    this.release = null;
    release?.();
  }

  /** A client that vanished mid-transaction must not leave the session stuck in it. */
  private async abandon(): Promise<void> {
    if (!this.release) return;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    this.unlock();
  }
}

export interface WireServer {
  port: number;
  close(): Promise<void>;
}

export async function serveOverWire(db: PGlite, host: string, port: number, password: string): Promise<WireServer> {
  const lock = new SessionLock();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    new Connection(db, lock, socket, password);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the embedded database did not get a TCP port");
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

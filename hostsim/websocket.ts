import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** The fixed GUID of RFC 6455 §1.3 that the accept key is hashed with. */
const handshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The server end of one WebSocket (RFC 6455), just what the kubelet's channel protocols need: binary
 * messages in both directions, ping/pong and the closing handshake. Written here because the `ws`
 * package ships no type declarations and the project adds no @types for it.
 */
export class WebSocketConn {
  private buffered = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;
  onMessage: (data: Buffer) => void = () => {};
  onClose: () => void = () => {};

  constructor(
    private readonly socket: Duplex,
    readonly protocol: string,
  ) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("close", () => this.finish());
    socket.on("error", () => this.finish());
  }

  send(data: Buffer): void {
    if (this.closed) return;
    this.socket.write(frame(0x2, data));
  }

  close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.socket.end(frame(0x8, payload));
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const parsed = parseFrame(this.buffered);
      if (!parsed) return;
      this.buffered = this.buffered.subarray(parsed.length);
      if (parsed.opcode === 0x8) return this.close();
      if (parsed.opcode === 0x9) this.socket.write(frame(0xa, parsed.payload));
      else if (parsed.opcode <= 0x2) {
        this.fragments.push(parsed.payload);
        if (parsed.fin) {
          const message = Buffer.concat(this.fragments);
          this.fragments = [];
          this.onMessage(message);
        }
      }
    }
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

function parseFrame(buf: Buffer): { fin: boolean; opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskAt = offset;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buf[maskAt + (i % 4)];
  return { fin: (buf[0] & 0x80) !== 0, opcode: buf[0] & 0x0f, payload, length: offset + len };
}

/**
 * Completes the upgrade handshake, choosing the first subprotocol the client offers that the server speaks
 * (with none offered, the server's unnamed default ""), or answers 400 when they share none.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, supported: string[]): WebSocketConn | undefined {
  const key = req.headers["sec-websocket-key"];
  const offered = String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const protocol =
    offered.length === 0 ? (supported.includes("") ? "" : undefined) : offered.find((p) => supported.includes(p));
  if (typeof key !== "string" || String(req.headers.upgrade).toLowerCase() !== "websocket" || protocol === undefined) {
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nunable to upgrade: no supported WebSocket subprotocol\n",
    );
    return undefined;
  }
  const accept = createHash("sha1")
    .update(key + handshakeGuid)
    .digest("base64");
  socket.write(
    [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${accept}`,
      ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
      "",
      "",
    ].join("\r\n"),
  );
  return new WebSocketConn(socket, protocol);
}

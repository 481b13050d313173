import type { Duplex } from "node:stream";
import zlib from "node:zlib";

/**
 * The zlib dictionary of SPDY/3 header blocks (http://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3,
 * section 2.6.10.1; moby/spdystream spdy/dictionary.go): length-prefixed header words, then a run of common values.
 */
const words = [
  "options",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "accept-ranges",
  "age",
  "allow",
  "authorization",
  "cache-control",
  "connection",
  "content-base",
  "content-encoding",
  "content-language",
  "content-length",
  "content-location",
  "content-md5",
  "content-range",
  "content-type",
  "date",
  "etag",
  "expect",
  "expires",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "pragma",
  "proxy-authenticate",
  "proxy-authorization",
  "range",
  "referer",
  "retry-after",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
  "via",
  "warning",
  "www-authenticate",
  "method",
  "get",
  "status",
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const tail =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content301 Moved Permanently" +
  "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec" +
  " 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript," +
  "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
const headerDictionary = Buffer.concat([
  ...words.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w)]);
  }),
  Buffer.from(tail),
]);

/** An empty non-final stored block, what zlib's Z_SYNC_FLUSH appends. */
const syncFlush = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

const type = { synStream: 1, synReply: 2, rstStream: 3, ping: 6, goAway: 7 } as const;
const flagFin = 0x01;
/** RST_STREAM status CANCEL, what spdystream's Stream.Reset sends. */
const cancel = 5;

/** One SPDY stream: its request headers, data from the peer, and the half-close of each side. */
export class SpdyStream {
  onData: (d: Buffer) => void = () => {};
  /** The peer finished sending (FIN) or reset the stream. */
  onEnd: (reset: boolean) => void = () => {};
  private ended = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {}

  write(data: Buffer): void {
    if (!this.ended)
      for (let i = 0; i < data.length; i += 0xffffff) this.session.data(this.id, data.subarray(i, i + 0xffffff), false);
  }

  /** Half-closes this side, as spdystream's Stream.Close does: an empty DATA frame with FIN. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.session.data(this.id, Buffer.alloc(0), true);
  }

  reset(): void {
    if (this.ended) return;
    this.ended = true;
    this.session.control(type.rstStream, 0, Buffer.concat([u32(this.id), u32(cancel)]));
  }
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/**
 * The server side of a SPDY/3.1 connection as the kubelet's port-forward speaks it through
 * k8s.io/apimachinery/pkg/util/httpstream/spdy and moby/spdystream: streams the client opens with SYN_STREAM are
 * answered with an empty SYN_REPLY (or reset when the handler refuses them), DATA flows both ways, PINGs are
 * echoed, GOAWAY ends the connection. Header blocks are zlib streams with the SPDY dictionary, one per direction
 * for the whole connection; this side writes its own as stored (uncompressed) deflate blocks.
 */
export class SpdySession {
  private buffered = Buffer.alloc(0);
  private streams = new Map<number, SpdyStream>();
  /** Every compressed header byte the client sent: each block continues the same zlib stream. */
  private inflated = { compressed: Buffer.alloc(0), plainLength: 0 };
  private deflateStarted = false;
  onClose: () => void = () => {};

  constructor(
    private readonly conn: Duplex,
    /** Accepts a new stream with what to do once it is answered, or refuses it (undefined), which resets it. */
    private readonly onStream: (s: SpdyStream) => (() => void) | undefined,
  ) {
    conn.on("data", (chunk: Buffer) => this.receive(chunk));
    conn.on("close", () => this.finish());
    conn.on("error", () => conn.destroy());
  }

  private finish(): void {
    for (const s of this.streams.values()) s.onEnd(true);
    this.streams.clear();
    this.onClose();
  }

  control(t: number, flags: number, payload: Buffer): void {
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | 3, 0);
    head.writeUInt16BE(t, 2);
    head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
    if (!this.conn.destroyed) this.conn.write(Buffer.concat([head, payload]));
  }

  data(id: number, payload: Buffer, fin: boolean): void {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(id & 0x7fffffff, 0);
    head.writeUInt32BE((((fin ? flagFin : 0) << 24) | payload.length) >>> 0, 4);
    if (!this.conn.destroyed) this.conn.write(Buffer.concat([head, payload]));
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) return;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      try {
        this.frame(frame);
      } catch {
        this.conn.destroy();
        return;
      }
    }
  }

  private frame(f: Buffer): void {
    const flags = f[4];
    const payload = f.subarray(8);
    if ((f[0] & 0x80) === 0) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (payload.length) s.onData(payload);
      if (flags & flagFin) {
        this.streams.delete(s.id);
        s.onEnd(false);
      }
      return;
    }
    const t = f.readUInt16BE(2);
    if (t === type.synStream) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const s = new SpdyStream(this, id, this.headerBlock(payload.subarray(10)));
      const accepted = this.onStream(s);
      if (!accepted) return s.reset();
      this.control(type.synReply, 0, Buffer.concat([u32(id), this.encodeHeaders()]));
      if (!(flags & flagFin)) this.streams.set(id, s);
      accepted();
      if (flags & flagFin) s.onEnd(false);
    } else if (t === type.rstStream) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      this.streams.get(id)?.onEnd(true);
      this.streams.delete(id);
    } else if (t === type.ping) {
      this.control(type.ping, 0, payload);
    } else if (t === type.goAway) {
      this.conn.end();
    }
  }

  /** A client header block: the zlib stream so far inflated again, keeping only what this block added. */
  private headerBlock(compressed: Buffer): Record<string, string> {
    this.inflated.compressed = Buffer.concat([this.inflated.compressed, compressed]);
    const plain = zlib.inflateSync(this.inflated.compressed, {
      dictionary: headerDictionary,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const block = plain.subarray(this.inflated.plainLength);
    this.inflated.plainLength = plain.length;
    const headers: Record<string, string> = {};
    let pos = 4;
    for (let i = block.readUInt32BE(0); i > 0; i--) {
      const nameLen = block.readUInt32BE(pos);
      const name = block
        .subarray(pos + 4, pos + 4 + nameLen)
        .toString()
        .toLowerCase();
      pos += 4 + nameLen;
      const valueLen = block.readUInt32BE(pos);
      headers[name] = block
        .subarray(pos + 4, pos + 4 + valueLen)
        .toString()
        .split("\0")[0];
      pos += 4 + valueLen;
    }
    return headers;
  }

  /**
   * An empty header block as a stored deflate block continuing this side's zlib stream (its header on the first),
   * ended like a zlib sync flush with an empty stored block: Go's flate reader hands out a block's data only once
   * it has read the next block's header, and must find that header in the same frame.
   */
  private encodeHeaders(): Buffer {
    const plain = u32(0);
    const stored = Buffer.from([
      0x00,
      plain.length & 0xff,
      plain.length >> 8,
      ~plain.length & 0xff,
      (~plain.length >> 8) & 0xff,
    ]);
    const start = this.deflateStarted
      ? Buffer.alloc(0)
      : zlib.deflateSync(Buffer.alloc(0), { dictionary: headerDictionary }).subarray(0, 6);
    this.deflateStarted = true;
    return Buffer.concat([start, stored, plain, syncFlush]);
  }
}

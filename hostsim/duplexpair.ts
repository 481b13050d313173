import { Duplex } from "node:stream";

/**
 * Two connected in-memory streams, what one end writes the other reads: a port-forwarded connection handed
 * to an in-process server as if it had arrived over TCP (Node 20 has no stream.duplexPair).
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        peer().push(chunk);
        done();
      },
      final(done) {
        peer().push(null);
        done();
      },
      destroy(err, done) {
        if (!peer().destroyed) peer().destroy();
        done(err);
      },
    });
  ends.push(
    make(() => ends[1]),
    make(() => ends[0]),
  );
  return [ends[0], ends[1]];
}

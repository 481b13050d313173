/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677), as PostgreSQL speaks it in its SASL exchange
 * (https://www.postgresql.org/docs/current/sasl-authentication.html), so the embedded database asks every client
 * for the password the launcher generated. PostgreSQL ignores the SCRAM user name (it has the startup's) and
 * uses no channel binding over plain TCP (`biws` = base64 of "n,,").
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

const ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) out.set(part[0], part.slice(2));
  }
  return out;
}

export interface ScramExchange {
  /** the server-first-message for the client's first message, or null when it is malformed */
  first(clientFirst: string): string | null;
  /** the server-final-message when the client's proof is right, else null */
  final(clientFinal: string): string | null;
}

export function scramExchange(password: string): ScramExchange {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, ITERATIONS, 32, "sha256");
  const clientKey = hmac(salted, "Client Key");
  const storedKey = sha256(clientKey);
  const serverKey = hmac(salted, "Server Key");
  let clientFirstBare = "";
  let serverFirst = "";
  let nonce = "";
  return {
    first(clientFirst) {
      // gs2 header: "n,," without channel binding, "y,," when the client could but the server did not offer it
      const match = /^[ny],[^,]*,(.*)$/.exec(clientFirst);
      const clientNonce = match ? attributes(match[1]).get("r") : undefined;
      if (!match || !clientNonce) return null;
      clientFirstBare = match[1];
      nonce = clientNonce + randomBytes(18).toString("base64");
      serverFirst = `r=${nonce},s=${salt.toString("base64")},i=${ITERATIONS}`;
      return serverFirst;
    },
    final(clientFinal) {
      const cut = clientFinal.lastIndexOf(",p=");
      if (!serverFirst || cut < 0) return null;
      const withoutProof = clientFinal.slice(0, cut);
      const attrs = attributes(withoutProof);
      if (attrs.get("r") !== nonce || !["biws", "eSws"].includes(attrs.get("c") ?? "")) return null;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const proof = Buffer.from(clientFinal.slice(cut + 3), "base64");
      const signature = hmac(storedKey, authMessage);
      if (proof.length !== signature.length) return null;
      const candidate = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
      if (!timingSafeEqual(sha256(candidate), storedKey)) return null;
      return `v=${hmac(serverKey, authMessage).toString("base64")}`;
    },
  };
}

/**
 * A real OpenID Provider for the SSO spec: `oidc-provider` (the certified Node.js implementation) on 127.0.0.1, with
 * its built-in development login and consent pages, which accept any login name as the subject (`sub`) and any
 * password. What each subject's claims say (email, email_verified, name) is a table the spec sets over HTTP, on the
 * same server, behind a random token:
 *   PUT /e2e-admin/accounts/<sub>   {"email": "...", "emailVerified": true, "name": "..."}   (Authorization: Bearer <token>)
 * Claims are read when tokens are issued, so changing a subject's entry changes what the next sign-in is told.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Account, type Configuration, type JWK } from "oidc-provider";
import { ACCOUNTS_PATH, type OidcTestAccount } from "./sso";

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** what PUT /e2e-admin/accounts/<sub> wants as its Bearer token */
  adminToken: string;
  close(): Promise<void>;
}

const parseAccount = (value: unknown): Omit<OidcTestAccount, "sub"> | null => {
  if (typeof value !== "object" || value === null) return null;
  const { email, emailVerified, name } = value as Record<string, unknown>;
  return typeof email === "string" && typeof emailVerified === "boolean" && typeof name === "string"
    ? { email, emailVerified, name }
    : null;
};

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startOidcProvider(options: { redirectUri: string }): Promise<TestOidcProvider> {
  const accounts = new Map<string, Omit<OidcTestAccount, "sub">>();
  const clientId = "open-vcluster-e2e";
  const clientSecret = randomBytes(24).toString("base64url");
  const adminToken = randomBytes(24).toString("base64url");

  async function admin(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !sameSecret(auth.slice("Bearer ".length), adminToken)) {
      res.writeHead(401).end();
      return;
    }
    const sub = decodeURIComponent(pathname.slice(ACCOUNTS_PATH.length + 1));
    const account = req.method === "PUT" && sub ? parseAccount(JSON.parse((await readBody(req)) || "null")) : null;
    if (!account) {
      res.writeHead(400).end();
      return;
    }
    accounts.set(sub, account);
    res.writeHead(204).end();
  }

  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://provider.invalid");
    if (pathname.startsWith(`${ACCOUNTS_PATH}/`)) {
      admin(req, res, pathname).catch(() => res.writeHead(400).end());
    } else if (handle) {
      handle(req, res);
    } else {
      res.writeHead(503).end();
    }
  });
  // The issuer names the port, so the server listens first and the provider is made for the port it got.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  server.unref();
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey: JWK = {
    ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
    kid: "e2e",
    use: "sig",
    alg: "RS256",
  };
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx, sub): Promise<Account | undefined> {
      if (!accounts.has(sub)) return undefined;
      return {
        accountId: sub,
        claims: () => {
          // read when the tokens are made, so the spec can change what a subject's next sign-in says
          const current = accounts.get(sub);
          return { sub, email: current?.email, email_verified: current?.emailVerified, name: current?.name };
        },
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // oidc-provider's default (conformIdTokenClaims) follows OIDC Core 5.4 and sends email only from userinfo, which
    // the portal therefore reads as well as the ID token (server/auth/options.ts).
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [signingKey] },
    features: { devInteractions: { enabled: true } },
  };
  const provider = new Provider(issuer, configuration);
  handle = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    adminToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Password sign-in that neither gives way to guessing nor tells which emails exist (ASVS 2.2.1, 2.2.2): failures
 * are counted per account and attempts per client address, in PostgreSQL so every instance shares the count, and
 * an unknown email costs the same scrypt work as a wrong password.
 */
import { RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "@/server/db/client";
import { limiterFor } from "@/server/db/rate-limiter";
import { hashPassword, verifyPassword } from "./password";

const WINDOW_SECONDS = 15 * 60;
/** failed passwords per account in the window */
export const ACCOUNT_FAILURES = 10;
/** sign-in attempts per client address in the window */
export const CLIENT_ATTEMPTS = 50;

export class SignInThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("TooManySignIns");
  }
}

let decoy: Promise<string> | null = null;

/** A real hash of nothing anyone knows, so an unknown email runs the same verification as a known one. */
const decoyHash = () => (decoy ??= hashPassword(`decoy-${Math.random()}`));

async function blocked(db: Db, prefix: string, points: number, key: string): Promise<number | null> {
  const state = await limiterFor(db, prefix, points, WINDOW_SECONDS).get(key);
  return state && state.consumedPoints >= points ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : null;
}

async function consume(db: Db, prefix: string, points: number, key: string): Promise<void> {
  await limiterFor(db, prefix, points, WINDOW_SECONDS)
    .consume(key)
    .catch((rejection: unknown) => {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    });
}

/**
 * The user id when the password is right; null for a wrong password, an unknown email, a disabled account or an
 * account without a password, all alike; SignInThrottled while the account or the client is over its budget.
 */
export async function checkPasswordSignIn(
  db: Db,
  email: string,
  password: string,
  clientAddress: string | null,
): Promise<{ id: string; email: string; name: string | null } | null> {
  const account = email.toLowerCase();
  const client = clientAddress ?? "unknown";
  const wait =
    (await blocked(db, "signin-client", CLIENT_ATTEMPTS, client)) ??
    (await blocked(db, "signin-account", ACCOUNT_FAILURES, account));
  if (wait) throw new SignInThrottled(wait);
  await consume(db, "signin-client", CLIENT_ATTEMPTS, client);
  const user = await db.user.findUnique({
    where: { email: account },
    select: { id: true, email: true, name: true, passwordHash: true, disabled: true },
  });
  const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
  if (!user?.passwordHash || user.disabled || !ok) {
    await consume(db, "signin-account", ACCOUNT_FAILURES, account);
    return null;
  }
  return { id: user.id, email: user.email, name: user.name };
}

import { InvalidArgumentError } from "commander";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `5m`, `1h30m` (Go-style, as kubectl takes them) into milliseconds; a usage error otherwise. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text) {
    throw new InvalidArgumentError(`"${text}" is not a duration like 30s, 5m or 1h30m`);
  }
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit], 0);
}

export function parsePositiveInt(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new InvalidArgumentError(`"${text}" is not a positive whole number`);
  return Number(text);
}

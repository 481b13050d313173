const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a Kubernetes resource.Quantity ("250m", "1.5Gi", "2e3") into base units (cores, bytes). */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") return q;
  const m = pattern.exec(q.trim());
  if (!m)
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${q}"`,
    );
  const value = Number(m[1]);
  const suffix = m[2] ?? "";
  if (suffix in binary) return value * binary[suffix];
  if (suffix in decimal) return value * decimal[suffix];
  return value * 10 ** Number(suffix.slice(1));
}

export function isQuantity(q: unknown): boolean {
  return (typeof q === "string" && pattern.test(q.trim())) || typeof q === "number";
}

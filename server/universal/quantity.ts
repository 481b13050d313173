/**
 * Kubernetes resource.Quantity parsing and formatting. Parsing is exact (BigInt rationals) and rounds up like the
 * apiserver does, so "1.5Gi" is 1610612736 bytes and "0.1" CPU is 100 millicores.
 */

const binaryExponent: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalExponent: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const pattern = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

interface Rational {
  num: bigint;
  den: bigint;
}

function parseRational(quantity: string | number): Rational {
  const text = String(quantity).trim();
  const m = pattern.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === ""))
    throw new Error(`"${text}" is not a Kubernetes quantity (e.g. 500m, 2, 1.5Gi, 512Mi)`);
  const [, sign, whole, fraction = "", suffix = ""] = m;
  let num = BigInt(`${whole}${fraction}` || "0");
  let den = 10n ** BigInt(fraction.length);
  if (sign === "-") num = -num;
  if (suffix in binaryExponent) num *= 2n ** BigInt(binaryExponent[suffix]);
  else {
    const exponent = suffix in decimalExponent ? decimalExponent[suffix] : Number(suffix.slice(1));
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  }
  return { num, den };
}

function ceilDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return num % den > 0n ? q + 1n : q;
}

/** CPU quantity ("250m", "2", "0.5") to millicores, rounded up. */
export function parseCpuMillis(quantity: string | number): number {
  const { num, den } = parseRational(quantity);
  return Number(ceilDiv(num * 1000n, den));
}

/** Memory or storage quantity ("512Mi", "1.5Gi", "1G", "1e9") to bytes, rounded up. */
export function parseMemoryBytes(quantity: string | number): bigint {
  const { num, den } = parseRational(quantity);
  return ceilDiv(num, den);
}

export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** The shortest exact binary-suffixed form ("512Mi", "2Gi"), or plain bytes. */
export function formatMemoryBytes(bytes: bigint): string {
  for (const [suffix, exponent] of Object.entries(binaryExponent).reverse()) {
    const unit = 2n ** BigInt(exponent);
    if (bytes !== 0n && bytes % unit === 0n) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

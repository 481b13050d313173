/** Output: an aligned table on a terminal, JSON when piped or asked, YAML when asked. */
import { Option } from "commander";
import { stringify } from "yaml";

export const FORMATS = ["table", "json", "yaml"] as const;
export type Format = (typeof FORMATS)[number];

export function formatOption(): Option {
  return new Option("-o, --output <format>", "output format (default: table on a terminal, json otherwise)").choices(
    FORMATS,
  );
}

export function chooseFormat(asked: Format | undefined): Format {
  return asked ?? (process.stdout.isTTY ? "table" : "json");
}

/** Plain data as JSON has it: dates as ISO strings, and bigints (byte sizes) as decimal strings, which JSON cannot hold otherwise. */
export function plain(data: unknown): unknown {
  return JSON.parse(
    JSON.stringify(data, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
  );
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("   ");
  return [line(headers), ...rows.map(line)].join("\n");
}

export interface Tabular {
  headers: string[];
  rows: string[][];
}

export function print(format: Format, data: unknown, table: () => Tabular | string): void {
  if (format === "json") process.stdout.write(`${JSON.stringify(plain(data), null, 2)}\n`);
  else if (format === "yaml") process.stdout.write(stringify(plain(data)));
  else {
    const shown = table();
    process.stdout.write(`${typeof shown === "string" ? shown : renderTable(shown.headers, shown.rows)}\n`);
  }
}

/** kubectl-style age: 45s, 12m, 3h, 5d. */
export function age(since: Date, now = new Date()): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

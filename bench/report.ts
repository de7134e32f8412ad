// Figures and tables of the benchmarks: printed, never asserted.

/** The nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "–");

/** A Markdown table: figures right-aligned (every column but the first), or text left-aligned. */
export function table(head: string[], rows: string[][], align: "figures" | "text" = "figures"): string {
  const rule = head.map((_, i) => (i === 0 || align === "text" ? "---" : "---:")).join("|");
  return [`| ${head.join(" | ")} |`, `|${rule}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Reads `--name value` flags and bare words; unknown flags are refused so a typo does not silently run the defaults. */
export function parseArgs(argv: string[], known: string[]): { flags: Map<string, string>; words: string[] } {
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (!known.includes(name)) throw new Error(`unknown flag --${name} (known: ${known.map((k) => `--${k}`).join(", ")})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, words };
}

export function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, not "${raw}"`);
  return value;
}

export function listFlag(flags: Map<string, string>, name: string, fallback: number[]): number[] {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const values = raw.split(",").filter(Boolean).map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < 0))
    throw new Error(`--${name} must be a comma-separated list of integers, not "${raw}"`);
  return values;
}

import { load as loadYaml, type YAMLException } from "js-yaml";
import type { z } from "zod";
import { configSchema } from "./schema.js";
import { inlineCode } from "../common/markdown.js";
import type { ConfigError } from "./config-error.js";
import { lineOfKey } from "./key-line.js";

export type RawConfig = Record<string, unknown>;
export type ParsedFile = { ok: true; raw: RawConfig } | { ok: false; error: ConfigError };

/** Parses one YAML file and validates it on its own, so an error names the file it is in. */
export function parseConfigFile(file: string, text: string): ParsedFile {
  // An empty or comment-only file means "the defaults", which js-yaml would refuse as "no document".
  if (text.split("\n").every((line) => /^\s*(#.*)?$/.test(line))) return { ok: true, raw: {} };
  let loaded: unknown;
  try {
    loaded = loadYaml(text, { filename: file, json: false });
  } catch (error) {
    const mark = (error as YAMLException).mark;
    const at = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : "";
    return {
      ok: false,
      error: {
        file,
        keyPath: "",
        ...(mark ? { line: mark.line + 1 } : {}),
        expected: `valid YAML${at}; the parser said ${inlineCode((error as Error).message.split("\n")[0]!)}`,
      },
    };
  }
  if (loaded === null || loaded === undefined) return { ok: true, raw: {} };
  if (typeof loaded !== "object" || Array.isArray(loaded)) {
    return { ok: false, error: { file, keyPath: "", expected: "a YAML mapping at the top level (e.g. `controls:`)" } };
  }
  const checked = configSchema.safeParse(loaded);
  if (!checked.success) return { ok: false, error: toConfigError(file, checked.error, text) };
  return { ok: true, raw: loaded as RawConfig };
}

function toConfigError(file: string, error: z.ZodError, text: string): ConfigError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  const where = (keys: (string | number)[]) => {
    const line = lineOfKey(text, keys);
    return line === undefined ? {} : { line };
  };
  if (issue.code === "unrecognized_keys") {
    // A few keys name the problem; a file with thousands must not make an error (and a log line) as long as itself.
    const shown = issue.keys.slice(0, 5).map((key) => inlineCode(key.length > 60 ? `${key.slice(0, 60)}…` : key));
    const more = issue.keys.length > shown.length ? ` and ${issue.keys.length - shown.length} more` : "";
    return {
      file,
      keyPath: path.join("."),
      ...where([...issue.path.filter((p) => typeof p !== "symbol"), issue.keys[0]!]),
      expected: `no key ${shown.join(", ")}${more} here (unknown key: check the spelling)`,
    };
  }
  return { file, keyPath: path.join("."), ...where(issue.path.filter((p) => typeof p !== "symbol")), expected: issue.message };
}

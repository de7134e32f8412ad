import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * sdlc-guard's version, read at run time from the nearest package.json named sdlc-guard above this file (src/cli in a
 * checkout, dist/src/cli once built, /app/dist/src/cli in the Docker image): one source, never compiled in.
 */
export function packageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "sdlc-guard" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json here (or not ours): look further up.
    }
    if (dirname(dir) === dir) return "unknown (package.json not found)";
  }
}

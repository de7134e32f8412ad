import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(process.cwd());

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/**
 * The folder holding a build of the sources for a test that runs compiled code in a process: `dist` when `npm run
 * build` is newer than every file of `sources` (its `entry` exists and is newer), else `outDir`, compiled now with
 * `tsconfig` (incrementally), so that a test never runs code older than the sources, nor fails for want of a build.
 * `entry` is relative to the output folder (e.g. `src/index.js`).
 */
export function builtFolder(options: {
  sources: readonly string[];
  tsconfig: string;
  outDir: string;
  entry: string;
  dist?: boolean;
}): string {
  const sources = Math.max(...options.sources.map((dir) => newest(join(ROOT, dir))));
  const fresh = (folder: string) =>
    existsSync(join(ROOT, folder, options.entry)) && statSync(join(ROOT, folder, options.entry)).mtimeMs >= sources;
  if (options.dist !== false && fresh("dist")) return "dist";
  if (fresh(options.outDir)) return options.outDir;
  const tsc = spawnSync(
    process.execPath,
    [
      "node_modules/typescript/bin/tsc",
      "-p",
      options.tsconfig,
      "--outDir",
      options.outDir,
      "--incremental",
      "--tsBuildInfoFile",
      `${options.outDir}/.tsbuildinfo`,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`could not build ${options.entry}: ${tsc.stdout}${tsc.stderr}`);
  return options.outDir;
}

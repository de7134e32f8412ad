import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

// `npm run lint` checks the layering with dependency-cruiser (.dependency-cruiser.cjs). These tests run the same
// command on a small tree that breaks a rule on purpose, so a rule that stopped biting would be noticed.

const CONFIG = resolve(".dependency-cruiser.cjs");
const DEPCRUISE = resolve("node_modules/.bin/depcruise");

/** Runs the lint's layering check on a tree of `files` (path → source) and returns its exit status and report. */
function cruise(files: Record<string, string>): { status: number | null; report: string } {
  const dir = mkdtempSync(join(tmpdir(), "sdlc-guard-layering-"));
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    const run = spawnSync(DEPCRUISE, ["src", "--config", CONFIG, "--output-type", "err"], { cwd: dir, encoding: "utf8" });
    return { status: run.status, report: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GATEWAY = { "src/github/types.ts": "export type GitHubClient = { request(): void };\n" };

describe("the layering, as npm run lint enforces it", () => {
  it("the tree as it is passes", () => {
    const run = spawnSync(DEPCRUISE, ["src", "--config", CONFIG, "--output-type", "err"], { encoding: "utf8" });
    expect([run.status, run.stdout]).toEqual([0, expect.stringContaining("no dependency violations found")]);
  }, 60_000);

  it("a control that imports a gateway fails, naming the rule", () => {
    const { status, report } = cruise({
      ...GATEWAY,
      "src/controls/reviews.ts":
        'import type { GitHubClient } from "../github/types.js";\nexport const client: GitHubClient | undefined = undefined;\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain("pure-layers-stay-pure: src/controls/reviews.ts → src/github/types.ts");
  }, 60_000);

  it("a gateway that calls back up into the evaluation fails", () => {
    const { status, report } = cruise({
      "src/evaluation/evaluate.ts": "export const evaluate = () => 1;\n",
      "src/github/reader.ts": 'import { evaluate } from "../evaluation/evaluate.js";\nexport const read = evaluate;\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain("gateways-never-call-back-up: src/github/reader.ts → src/evaluation/evaluate.ts");
  }, 60_000);

  it("an import cycle fails, type-only imports included", () => {
    const { status, report } = cruise({
      "src/report/a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\n',
      "src/report/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain("no-import-cycles");
  }, 60_000);

  it("the CLI may not use a handler's internals", () => {
    const { status, report } = cruise({
      "src/handlers/app-options.ts": "export const options = {};\n",
      "src/cli/program.ts": 'import { options } from "../handlers/app-options.js";\nexport const program = options;\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain("cli-uses-no-handler");
  }, 60_000);
});

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ProbotOctokit } from "probot";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { mockGitHub, warmUpGitHubModel } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { builtFolder } from "../support/built.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, deps: CliDeps = { Octokit: TestOctokit }) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("sdlc-guard --version", () => {
  it("prints package.json's version and exits 0", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("works from the built dist/ as the bin runs it (read at run time, not compiled in)", () => {
    const folder = builtFolder({ sources: ["src"], tsconfig: "tsconfig.build.json", outDir: "dist/cli-test", entry: "src/cli/main.js" });
    expect(execFileSync(process.execPath, [`${folder}/src/cli/main.js`, "--version"], { encoding: "utf8" })).toBe(`${version}\n`);
  });
});

describe("usage errors print the one-line usage and a hint, not the whole help", () => {
  it.each([
    [["evaluate"], "error: missing required argument 'pr'", "sdlc-guard evaluate [options] <pr>", "sdlc-guard evaluate --help"],
    [
      ["evaluate", "acme/payments#1", "--jsn"],
      "error: unknown option '--jsn'",
      "sdlc-guard evaluate [options] <pr>",
      "sdlc-guard evaluate --help",
    ],
    [["summary"], "error: required option '--org <org>' not specified", "sdlc-guard summary [options]", "sdlc-guard summary --help"],
    [
      ["evidence", "--org", "acme", "--since", "yesterday", "--format", "csv"],
      "--since",
      "sdlc-guard evidence [options]",
      "sdlc-guard evidence --help",
    ],
    [
      ["audit", "verify"],
      "error: missing required argument 'file'",
      "sdlc-guard audit verify [options] <file>",
      "sdlc-guard audit verify --help",
    ],
    [["evaluat", "acme/payments#1"], "error: unknown command 'evaluat'", "sdlc-guard [options] [command]", "sdlc-guard --help"],
  ])("%j", async (args, error, usage, help) => {
    const result = await cli(args);

    expect(result).toMatchObject({ code: 2, stdout: "" });
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toContain(error);
    expect(lines).toContain(`Usage: ${usage}`);
    expect(lines.at(-1)).toBe(`Run '${help}' for the options and an example.`);
    // Not the whole help: no option list, no environment or exit-code text.
    expect(result.stderr).not.toContain("Options:");
    expect(result.stderr).not.toContain("Exit codes");
    expect(lines.length).toBeLessThanOrEqual(4);
  });
});

describe("evaluate's text output is for people", () => {
  beforeAll(warmUpGitHubModel);

  it("shows the check run without the hidden base64 results block; --json keeps the structured results", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    compliantPullRequest(world, repo, 1);
    const dryRun = () =>
      mockGitHub(world)
        .expectConfigFiles("acme", "payments")
        .expect("POST", "/graphql")
        .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
        .expect("GET", "/repos/acme/payments");

    dryRun();
    const text = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/`reviews`\s+✅ pass\s+required/); // a terminal table
    expect(text.stdout).not.toContain("<!--");
    expect(text.stdout).not.toContain("sdlc-guard-results");

    dryRun();
    const json = JSON.parse((await cli(["evaluate", "acme/payments#1", "--json"], { GITHUB_TOKEN: TOKEN })).stdout) as {
      results: { id: string }[];
    };
    expect(json.results.map((r) => r.id)).toContain("reviews");
  });
});

describe("summary reports one request count", () => {
  it("the count on stderr is the count in the summary's footer", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 8 });
    routeToWorld(world);
    const result = await cli(["summary", "--org", "acme"], { GITHUB_TOKEN: TOKEN }, { Octokit: TestOctokit, now: () => new Date(org.now) });

    expect(result.code).toBe(0);
    const footer = Number(result.stdout.match(/· (\d+) GitHub requests? · collected in/)?.[1]);
    const stderr = Number(result.stderr.match(/, (\d+) GitHub requests?;/)?.[1]);
    expect(footer).toBeGreaterThan(0);
    expect(stderr).toBe(footer);
    // Every request the CLI sent is counted: nothing is sent after the summary was built without --post.
    expect(world.requests).toHaveLength(footer);
  });

  it("a missing SECURITY.md says the organisation's .github repository counts only when it is public", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 14 });
    routeToWorld(world);
    const result = await cli(["summary", "--org", "acme"], { GITHUB_TOKEN: TOKEN }, { Octokit: TestOctokit, now: () => new Date(org.now) });

    const reasons = result.stdout.match(/`repository-files`: missing [^\n]*/g) ?? [];
    expect(reasons.filter((r) => r.includes("SECURITY.md")).length).toBeGreaterThan(0);
    for (const reason of reasons.filter((r) => r.includes("SECURITY.md") || r.includes("CONTRIBUTING")))
      expect(reason).toContain("(the organisation's .github repository counts only when it is public)");
  });
});

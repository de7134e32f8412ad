import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { SUMMARY_CONTROL_IDS } from "../../src/facts/org-summary.js";
import { SUMMARY_MARKER } from "../../src/report/org-summary-markdown.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { routeToWorld } from "../support/route-to-world.js";
import { testPrivateKey } from "../support/test-app.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

function setup() {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 8 });
  const deps: CliDeps = { Octokit: TestOctokit, now: () => new Date(org.now) };
  return { world, org, deps };
}

async function cli(args: string[], env: NodeJS.ProcessEnv, deps: CliDeps) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const summaryIssues = (world: GitHubWorld) => world.issues.list("acme", ".github").filter((i) => i.title === SUMMARY_TITLE);

describe("sdlc-guard summary", () => {
  it("prints the Markdown summary and writes nothing without --post", async () => {
    const { world, org, deps } = setup();
    routeToWorld(world);
    const result = await cli(["summary", "--org", "acme"], { GITHUB_TOKEN: TOKEN }, deps);

    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(SUMMARY_MARKER)).toBe(true);
    // Every active repository, `.github` included.
    for (const built of org.repositories.filter((r) => !r.archived)) expect(result.stdout).toContain(built.name);
    expect(result.stderr).toMatch(
      /^sdlc-guard: 9 repositories, [\d.]+% fully compliant, \d+ GitHub requests; not posted \(dry run; --post writes it to acme\/\.github\)\n$/,
    );
    expect(world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql")).toEqual([]);
    expect(summaryIssues(world)).toHaveLength(0);
  });

  it("--format json and --format csv print the same figures for tools and spreadsheets", async () => {
    const { world, deps } = setup();
    routeToWorld(world);
    const json = await cli(["summary", "--org", "acme", "--format", "json"], { GITHUB_TOKEN: TOKEN }, deps);
    const csv = await cli(["summary", "--org", "acme", "--format", "csv"], { GITHUB_TOKEN: TOKEN }, deps);

    const parsed = JSON.parse(json.stdout) as { org: string; repositories: { name: string }[] };
    expect(parsed.org).toBe("acme");
    const header = csv.stdout.split("\n")[0]!;
    for (const id of SUMMARY_CONTROL_IDS) expect(header).toContain(id);
    // One row per repository (archived ones too), plus the header.
    expect(csv.stdout.trim().split("\n").length).toBeGreaterThan(parsed.repositories.length);
  });

  it("--post writes the summary issue, as the app would", async () => {
    const { world, deps } = setup();
    routeToWorld(world);
    const result = await cli(["summary", "--org", "acme", "--post"], { GITHUB_TOKEN: TOKEN }, deps);

    expect(result.code).toBe(0);
    const [issue] = summaryIssues(world);
    expect(issue!.body.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(result.stderr).toContain(`posted to acme/.github#${issue!.number} (created)`);
  });

  it("as the GitHub App: authenticates as its installation on the organisation", async () => {
    const { world, deps } = setup();
    routeToWorld(world);
    const result = await cli(
      ["summary", "--org", "acme", "--format", "json"],
      { APP_ID: String(world.appId), PRIVATE_KEY: testPrivateKey() },
      deps,
    );

    expect(result.code).toBe(0);
    expect(world.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /orgs/acme/installation",
      `POST /app/installations/${world.installationId}/access_tokens`,
    ]);
  });

  it("shows a progress bar on a terminal, and only there", async () => {
    const { world, deps } = setup();
    routeToWorld(world);
    const written: string[] = [];
    // What cli-progress needs of a terminal stream.
    const terminal = {
      isTTY: true,
      columns: 100,
      write: (text: string) => written.push(text),
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      on: () => terminal,
      removeListener: () => terminal,
    };
    const out: string[] = [];
    const code = await runCli(
      ["/usr/bin/node", "sdlc-guard", "summary", "--org", "acme", "--format", "json"],
      { GITHUB_TOKEN: TOKEN },
      { stdout: { write: (t: string) => out.push(t) }, stderr: terminal },
      deps,
    );

    expect(code).toBe(0);
    expect(written.join("")).toMatch(/█+░* \d+\/\d+ [a-z]+/);
    expect(out.join("")).not.toContain("█");
  });

  it.each([
    [["summary"], "required option '--org <org>' not specified"],
    [["summary", "--org", "acme", "--format", "pdf"], "Allowed choices are markdown, json, csv"],
    [["summary", "--org", "-bad-"], "an organisation login"],
  ])("usage errors exit 2: %j", async (args, message) => {
    const { deps } = setup();
    const result = await cli(args, { GITHUB_TOKEN: TOKEN }, deps);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("a broken org config is an error, not a summary built on guesses", async () => {
    const { world, org, deps } = setup();
    org.dotGithub.repo.files.set(".github/sdlc-guard.yml", "summary:\n  period_days: forever\n");
    routeToWorld(world, ["GET"]);
    const result = await cli(["summary", "--org", "acme"], { GITHUB_TOKEN: TOKEN }, deps);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /the summary of acme was not built: the organisation's config cannot be used: acme\/\.github:\.github\/sdlc-guard\.yml at `summary\.period_days`/,
    );
  });
});

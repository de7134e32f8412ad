import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { EVIDENCE_CSV_COLUMNS } from "../../src/report/evidence-formats.js";
import { EVIDENCE_NOW, EVIDENCE_SINCE, EVIDENCE_UNTIL, evidenceWorld } from "../support/evidence-world.js";
import { expectGolden } from "../support/org-summary-fixture.js";
import { routeToWorld } from "../support/route-to-world.js";
import { testPrivateKey } from "../support/test-app.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));
const deps: CliDeps = { Octokit: TestOctokit, now: () => new Date(EVIDENCE_NOW) };
const PERIOD = ["--since", EVIDENCE_SINCE, "--until", EVIDENCE_UNTIL];

async function cli(args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const golden = (name: string) => new URL(`../fixtures/evidence/${name}`, import.meta.url).pathname;
const UNREADABLE_LINE =
  "sdlc-guard: not read: acme/ledger#3: the per-control results of the sdlc-guard check run: its summary has no per-control results block";

describe("sdlc-guard evidence", () => {
  it("the export lists a merged PR with its two approvers and Jira key", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);

    const json = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "json"]);
    const csv = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "csv"]);

    expect([json.code, csv.code]).toEqual([0, 0]);
    expectGolden(golden("export.json"), json.stdout);
    expectGolden(golden("export.csv"), csv.stdout);
    const [pr] = JSON.parse(json.stdout).pullRequests;
    expect(pr).toMatchObject({
      repository: "payments",
      number: 12,
      approvers: [{ login: "rev-carol" }, { login: "rev-bob" }],
      jiraKeys: ["PAY-12"],
    });
    const row = csv.stdout.split("\n").find((line) => line.startsWith("pull_request,payments,12,"))!;
    expect(row).toMatch(
      /,"rev-carol \(2026-11-04T10:00:00Z, [0-9a-f]{40}\); rev-bob \(2026-11-04T11:00:00Z, [0-9a-f]{40}\)",PAY-12,success,/,
    );
    // A title a spreadsheet would run as a formula is quoted.
    expect(csv.stdout).toContain(`pull_request,ledger,3,"'=HYPERLINK(""https://evil.example"") Bump dependencies"`);
    expect(csv.stdout.split("\n")[0]).toBe(EVIDENCE_CSV_COLUMNS.join(","));
    for (const result of [json, csv]) {
      expect(result.stderr).toContain(UNREADABLE_LINE);
      expect(result.stderr).toMatch(
        /sdlc-guard: evidence of acme from 2026-11-01T00:00:00.000Z to 2026-11-20T00:00:00.000Z: 2 merged pull requests, 3 recorded pushes, 2 releases; 1 parts could not be read \(listed under unreadable\); \d+ GitHub requests\n$/,
      );
    }
    expect(world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql")).toEqual([]);
  });

  it("a failing search page is listed under unreadable and on stderr, and the exit code stays 0", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);
    world.failNext("POST", "/graphql", 502, { operation: "SdlcGuardEvidencePullRequests" });

    const result = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "json"]);

    expect(result.code).toBe(0);
    const evidence = JSON.parse(result.stdout);
    expect(evidence.pullRequests).toEqual([]);
    expect(evidence.unreadable).toEqual([
      { what: "pull requests merged 2026-11-01T00:00:00Z..2026-11-19T23:59:59Z", why: "GitHub answered HTTP 502 (simulated HTTP 502)" },
    ]);
    expect(evidence.releases).toHaveLength(2);
    expect(result.stderr).toContain(
      "sdlc-guard: not read: pull requests merged 2026-11-01T00:00:00Z..2026-11-19T23:59:59Z: GitHub answered HTTP 502 (simulated HTTP 502)\n",
    );
    expect(result.stderr).toContain("0 merged pull requests, 3 recorded pushes, 2 releases; 1 parts could not be read");
  });

  it("--repo limits the export to one repository", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);

    const result = await cli(["evidence", "--org", "acme", "--repo", "payments", ...PERIOD, "--format", "csv"]);

    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").slice(0, 2).join(","));
    expect(records).toEqual(["pull_request,payments", "direct_push,payments", "direct_push,payments", "release,payments"]);
    expect(result.stderr).toContain("evidence of acme/payments from");
  });

  it("--out writes the file instead of stdout, and says so on stderr", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);
    const dir = mkdtempSync(join(tmpdir(), "sdlc-guard-evidence-"));
    const file = join(dir, "evidence.json");
    try {
      const result = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "json", "--out", file]);

      expect(result.code).toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`; written to ${file}\n`);
      expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
        version: 1,
        org: "acme",
        pullRequests: [{ number: 12 }, { number: 3 }],
      });
      const unwritable = await cli([
        "evidence",
        "--org",
        "acme",
        ...PERIOD,
        "--format",
        "json",
        "--out",
        join(dir, "missing", "evidence.json"),
      ]);
      expect(unwritable.code).toBe(2);
      expect(unwritable.stderr).toContain(`sdlc-guard: cannot write ${join(dir, "missing", "evidence.json")}: ENOENT`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("until defaults to now (the command's clock)", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);

    const result = await cli(["evidence", "--org", "acme", "--since", "2026-11-01T00:00:00+01:00", "--format", "json"]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).period).toEqual({ since: "2026-10-31T23:00:00.000Z", until: "2026-11-20T09:00:00.000Z" });
  });

  it("as the GitHub App: authenticates as its installation on the organisation, and finds its own runs", async () => {
    const { world } = evidenceWorld();
    routeToWorld(world);

    const result = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "json"], {
      APP_ID: String(world.appId),
      PRIVATE_KEY: testPrivateKey(),
    });

    expect(result.code).toBe(0);
    expect(world.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /orgs/acme/installation",
      `POST /app/installations/${world.installationId}/access_tokens`,
    ]);
    expect(JSON.parse(result.stdout).pullRequests[0]).toMatchObject({ number: 12, conclusion: "success" });
  });

  it("shows a progress bar on a terminal, and only there", async () => {
    const { world } = evidenceWorld();
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
      ["/usr/bin/node", "sdlc-guard", "evidence", "--org", "acme", ...PERIOD, "--format", "csv"],
      { GITHUB_TOKEN: TOKEN },
      { stdout: { write: (t: string) => out.push(t) }, stderr: terminal },
      deps,
    );

    expect(code).toBe(0);
    expect(written.join("")).toMatch(/█+░* \d+\/\d+ [a-z ]+/);
    expect(out.join("")).not.toContain("█");
  });

  it.each([
    [["evidence", "--org", "acme", "--format", "csv"], "required option '--since <date>' not specified"],
    [["evidence", "--org", "acme", "--since", "2026-11-01"], "required option '--format <format>' not specified"],
    [["evidence", "--org", "acme", "--since", "2026-11-01", "--format", "xlsx"], "Allowed choices are csv, json"],
    [
      ["evidence", "--org", "acme", "--since", "last week", "--format", "csv"],
      "a day YYYY-MM-DD (from 00:00 UTC) or an ISO 8601 time with its zone",
    ],
    [["evidence", "--org", "acme", "--since", "2026-02-30", "--format", "csv"], "a day YYYY-MM-DD"],
    [["evidence", "--org", "acme", "--since", "2026-11-01T09:00", "--format", "csv"], "an ISO 8601 time with its zone"],
    [["evidence", "--org", "acme", "--repo", "a/b", "--since", "2026-11-01", "--format", "csv"], "a repository name"],
    [
      ["evidence", "--org", "acme", "--since", "2026-11-10", "--until", "2026-11-01", "--format", "csv"],
      "--since (2026-11-10T00:00:00.000Z) must be before --until (2026-11-01T00:00:00.000Z)",
    ],
    [["evidence", "--org", "acme", "--since", "2026-12-01", "--format", "csv"], "must be before --until (2026-11-20T09:00:00.000Z, now)"],
  ])("usage errors exit 2: %j", async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });

  it("without credentials, or when the organisation cannot be listed, nothing is exported and the exit code is 2", async () => {
    const none = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "csv"], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no GitHub credentials");

    const { world } = evidenceWorld();
    routeToWorld(world, ["GET"]);
    world.failNext("GET", "/orgs/acme/repos", 502);
    const refused = await cli(["evidence", "--org", "acme", ...PERIOD, "--format", "csv"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain(
      "sdlc-guard: cannot export the evidence of acme: cannot read the repositories of acme: GitHub answered HTTP 502 (simulated HTTP 502)",
    );
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { verifyAuditFile } from "../../src/audit/hash-chain.js";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { routeToWorld } from "../support/route-to-world.js";
import { testPrivateKey } from "../support/test-app.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

/** An org with an unprotected repository, one whose protection asks one approval, one without push protection, one without secret scanning. */
function setup() {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 6, failures: ["unprotected", "one-approval", "no-push-protection"] });
  const noScanning = org.repositories.find((r) => !r.failure && !r.archived && r.name !== ".github")!;
  noScanning.repo.secretScanning.enabled = false;
  noScanning.repo.secretScanning.pushProtection = false;
  // Every repository has its CODEOWNERS and SECURITY.md (some from the org's public .github repository): these tests
  // are about the settings; test/cli/apply-files.test.ts is about the files pull requests.
  org.repositories.find((r) => r.name === ".github")!.repo.visibility = "public";
  const deps: CliDeps = { Octokit: TestOctokit, now: () => new Date(org.now) };
  const env = { GITHUB_TOKEN: TOKEN, APP_ID: String(world.appId) };
  return { world, org, deps, env, noScanning: noScanning.name };
}

async function cli(args: string[], env: NodeJS.ProcessEnv, deps: CliDeps) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const writes = (world: GitHubWorld) =>
  world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql").map((r) => `${r.method} ${r.path} ${r.status}`);

/** The state and detail columns of a repository's row for a control in the table. */
function rowOf(table: string, repo: string, control: string): string {
  const line = table.split("\n").find((r) => r.split(/ +/)[0] === repo && r.split(/ +/)[1] === control);
  if (!line) throw new Error(`no row for ${repo} ${control} in:\n${table}`);
  return line.slice(line.indexOf(control) + control.length).trimStart();
}

interface JsonPlan {
  repositories: { name: string; items: { control: string; state: string; detail: string }[] }[];
  changes: {
    id: string;
    kind: string;
    repositories?: string[];
    repository?: string;
    outcome: { status: string; reason?: string } | null;
  }[];
  appliedBy?: string;
}

/** The summary's cells the apply command is meant to bring into line, per repository. */
async function summaryCells(world: GitHubWorld, env: NodeJS.ProcessEnv, deps: CliDeps) {
  const summary = await cli(["summary", "--org", "acme", "--format", "json"], env, deps);
  const parsed = JSON.parse(summary.stdout) as { repositories: { name: string; cells: Record<string, { state: string }> }[] };
  return new Map(
    parsed.repositories.map((r) => [
      r.name,
      ["branch-protection", "push-protection"].map((id) => `${id}:${r.cells[id]!.state}`).join(" ") +
        ` secret-scanning-enabled:${world.repo("acme", r.name)!.secretScanning.enabled}`,
    ]),
  );
}

describe("sdlc-guard apply", () => {
  it("a dry run prints the plan per repository and writes nothing", async () => {
    const { world, org, deps, env, noScanning } = setup();
    routeToWorld(world);
    const result = await cli(["apply", "--org", "acme"], env, deps);

    expect(result.code).toBe(0);
    expect(writes(world)).toEqual([]);
    const unprotected = org.withFailure("unprotected")!.name;
    const oneApproval = org.withFailure("one-approval")!.name;
    const noPush = org.withFailure("no-push-protection")!.name;
    const row = (repo: string, control: string) => ` ${rowOf(result.stdout, repo, control)}`;
    expect(row(unprotected, "branch-protection")).toMatch(
      / change +create organisation ruleset "sdlc-guard: default branches \(2 approvals\)"/,
    );
    expect(row(oneApproval, "branch-protection")).toMatch(/ change .*requires 1 approval\(s\), policy needs 2/);
    expect(row(noPush, "push-protection")).toMatch(/ change +enable push protection/);
    expect(row(noScanning, "secret-scanning")).toMatch(/ change +enable secret scanning/);
    expect(row(noPush, "secret-scanning")).toMatch(/ holds /);
    expect(result.stdout).toContain(`Changes (3):`);
    expect(result.stderr).toMatch(/3 changes planned, 0 cannot be changed; dry run: nothing written \(--yes applies it\)/);
  });

  it("--yes makes exactly the planned requests, the summary's columns then pass, and a second run plans nothing", async () => {
    const { world, org, deps, env, noScanning } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const planned = JSON.parse((await cli(["apply", "--org", "acme", "--format", "json"], env, deps)).stdout) as JsonPlan;
    const expected = planned.changes.map((c) =>
      c.kind === "org-ruleset" ? "POST /orgs/acme/rulesets 201" : `PATCH /repos/acme/${c.repository} 200`,
    );
    expect(expected.sort()).toEqual(
      [
        "POST /orgs/acme/rulesets 201",
        `PATCH /repos/acme/${org.withFailure("no-push-protection")!.name} 200`,
        `PATCH /repos/acme/${noScanning} 200`,
      ].sort(),
    );

    const applied = await cli(["apply", "--org", "acme", "--yes", "--format", "json"], env, deps);
    expect(applied.code).toBe(0);
    expect(writes(world).sort()).toEqual(expected.sort());
    expect(world.violations).toEqual([]);
    const result = JSON.parse(applied.stdout) as JsonPlan;
    expect(result.appliedBy).toBe("octo-admin");
    expect(result.changes.map((c) => c.outcome?.status)).toEqual(["applied", "applied", "applied"]);

    for (const [name, cells] of await summaryCells(world, env, deps))
      expect(`${name} ${cells}`).toBe(`${name} branch-protection:pass push-protection:pass secret-scanning-enabled:true`);

    const again = await cli(["apply", "--org", "acme", "--yes"], env, deps);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to change.");
    expect(again.stdout).not.toMatch(/ change /);
    expect(writes(world).length).toBe(expected.length);
  });

  it("a 403 on one repository is reported with why, the others proceed, and a rerun finishes the rest", async () => {
    const { world, org, deps, env, noScanning } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    world.failNext("PATCH", `/repos/acme/${noScanning}`, 403, { exact: true, message: "Must have admin rights to Repository." });
    const first = await cli(["apply", "--org", "acme", "--yes"], env, deps);

    expect(first.code).toBe(1);
    expect(rowOf(first.stdout, noScanning, "secret-scanning")).toMatch(
      /^failed +enable secret scanning: refused: admin on the repository is needed.*HTTP 403/,
    );
    expect(rowOf(first.stdout, org.withFailure("no-push-protection")!.name, "push-protection")).toMatch(/^applied /);
    expect(first.stderr).toContain("2 applied, 1 failed (by octo-admin)");
    expect(world.repo("acme", noScanning)!.secretScanning.enabled).toBe(false);

    const rerun = await cli(["apply", "--org", "acme", "--yes", "--format", "json"], env, deps);
    expect(rerun.code).toBe(0);
    const plan = JSON.parse(rerun.stdout) as JsonPlan;
    expect(plan.changes.map((c) => [c.repository, c.outcome?.status])).toEqual([[noScanning, "applied"]]);
    expect(world.repo("acme", noScanning)!.secretScanning.enabled).toBe(true);
  });

  it("records every change in the audit file with who applied it", async () => {
    const { world, deps, env } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const auditFile = join(mkdtempSync(join(tmpdir(), "apply-audit-")), "audit.jsonl");
    const result = await cli(["apply", "--org", "acme", "--yes"], { ...env, AUDIT_LOG_PATH: auditFile }, deps);

    expect(result.code).toBe(0);
    expect(await verifyAuditFile(auditFile)).toMatchObject({ ok: true, records: 3 });
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.action, r.by, r.kind])).toEqual(
      expect.arrayContaining([
        ["apply.changed", "octo-admin", "org-ruleset"],
        ["apply.changed", "octo-admin", "security-settings"],
      ]),
    );
    expect(records.every((r) => typeof r.request === "string" && r.org === "acme")).toBe(true);
  });

  it("a repository added later joins the existing ruleset (updated, not duplicated)", async () => {
    const { world, org, deps, env } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH", "PUT"]);
    await cli(["apply", "--org", "acme", "--yes"], env, deps);
    const [ruleset] = world.orgRulesets.rulesets;
    world.addRepo("acme", "newcomer", { pushedAt: org.now, files: new Map([[".github/CODEOWNERS", "* @acme/platform\n"]]) });
    const result = await cli(["apply", "--org", "acme", "--yes", "--format", "json"], env, deps);

    expect(result.code).toBe(0);
    expect(writes(world).filter((w) => w.includes("rulesets"))).toEqual([
      "POST /orgs/acme/rulesets 201",
      `PUT /orgs/acme/rulesets/${ruleset!.id} 200`,
    ]);
    expect(world.orgRulesets.rulesets).toHaveLength(1);
    const targets = (ruleset!.body.conditions as { repository_name: { include: string[] } }).repository_name.include;
    expect([...targets].sort()).toEqual([org.withFailure("unprotected")!.name, org.withFailure("one-approval")!.name, "newcomer"].sort());
  });

  it("what the credentials cannot change is reported per repository with why, and nothing is written", async () => {
    const { world, org, deps, env } = setup();
    routeToWorld(world);
    const hidden = org.withFailure("no-push-protection")!.repo;
    hidden.securityAndAnalysisHidden = true;
    // Organisation rulesets: GitHub answers 404 to who is not an owner.
    world.failNext("GET", "/orgs/acme/rulesets", 404, { exact: true });
    const result = await cli(["apply", "--org", "acme"], env, deps);

    expect(result.code).toBe(0);
    const unprotected = org.withFailure("unprotected")!.name;
    expect(rowOf(result.stdout, unprotected, "branch-protection")).toMatch(
      /^cannot .*only an organisation owner may manage organisation rulesets/,
    );
    expect(rowOf(result.stdout, hidden.name, "push-protection")).toMatch(
      /^cannot +the security settings could not be read: .*repository admins/,
    );
    expect(writes(world)).toEqual([]);
  });

  it("without the app's id the required check cannot be pinned: branch protection is not planned", async () => {
    const { world, org, deps } = setup();
    routeToWorld(world);
    const result = await cli(["apply", "--org", "acme", "--repo", org.withFailure("unprotected")!.name], { GITHUB_TOKEN: TOKEN }, deps);

    expect(result.stdout).toMatch(/branch-protection +cannot .*Set APP_ID/);
    expect(result.stdout).toContain("Nothing to change.");
  });

  it("--repo, --include and --exclude select the repositories", async () => {
    const { world, org, deps, env } = setup();
    routeToWorld(world);
    const names = org.repositories.filter((r) => !r.archived).map((r) => r.name);
    const only = await cli(["apply", "--org", "acme", "--repo", names[0]!, "--format", "json"], env, deps);
    expect((JSON.parse(only.stdout) as JsonPlan).repositories.map((r) => r.name)).toEqual([names[0]]);
    const excluded = await cli(["apply", "--org", "acme", "--exclude", "*", "--include", "x", "--format", "json"], env, deps);
    expect((JSON.parse(excluded.stdout) as JsonPlan).repositories).toEqual([]);
  });

  it("as the GitHub App's installation (granted the write permissions), the audit names the app, not a user", async () => {
    const { world, deps } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const auditFile = join(mkdtempSync(join(tmpdir(), "apply-audit-")), "audit.jsonl");
    const env = { APP_ID: String(world.appId), PRIVATE_KEY: testPrivateKey(), AUDIT_LOG_PATH: auditFile };
    const result = await cli(["apply", "--org", "acme", "--yes"], env, deps);

    expect(result.code).toBe(0);
    expect(world.requests.some((r) => r.path === "/user")).toBe(false);
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(records.map((r) => r.by))).toEqual(new Set([`app ${world.appId} (installation)`]));
  });

  it("shows a progress bar on a terminal, and only there", async () => {
    const { world, deps, env } = setup();
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
      ["/usr/bin/node", "sdlc-guard", "apply", "--org", "acme", "--format", "json"],
      env,
      { stdout: { write: (t: string) => out.push(t) }, stderr: terminal },
      deps,
    );

    expect(code).toBe(0);
    expect(written.join("")).toMatch(/█+░* \d+\/\d+ [a-z]+/);
    expect(out.join("")).not.toContain("█");
  });
});

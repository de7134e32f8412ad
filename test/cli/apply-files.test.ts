import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { GitHubWorld, type SimRepo } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { verifyAuditFile } from "../../src/audit/hash-chain.js";
import { codeownersContent, securityPolicyContent } from "../../src/controls/apply-files.js";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { routeToWorld } from "../support/route-to-world.js";

// `sdlc-guard apply` proposes the CODEOWNERS and SECURITY.md the summary's `repository-files` column asks for, by pull
// request (the guard forbids direct pushes to the default branch): one per repository, idempotent, resumable.

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const BRANCH = "sdlc-guard/repository-files";
const OWNERS = ["--codeowners", "@acme/platform,@octo-lead"];
const CONTACT = ["--security-contact", "security@acme.example"];
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

const PLACES = ["", ".github/", "docs/"];

/**
 * An org whose repositories are compliant but two: `bare` has neither CODEOWNERS nor SECURITY.md, `noOwners` has its
 * SECURITY.md but no CODEOWNERS. The org's .github repository is private, so its SECURITY.md is nobody's default.
 */
function setup() {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 4, failures: ["missing-files"] });
  org.repositories.find((r) => r.name === ".github")!.repo.visibility = "private";
  const active = org.repositories.filter((r) => !r.archived);
  for (const { repo } of active)
    if (!PLACES.some((p) => repo.files.has(`${p}SECURITY.md`)))
      repo.files.set("SECURITY.md", "# Security policy\nReport to sec@acme.example\n");
  const bare = org.withFailure("missing-files")!.repo;
  for (const p of PLACES) bare.files.delete(`${p}SECURITY.md`);
  const noOwners = active.find((r) => !r.failure && r.name !== ".github")!.repo;
  for (const p of PLACES) noOwners.files.delete(`${p}CODEOWNERS`);
  const deps: CliDeps = { Octokit: TestOctokit, now: () => new Date(org.now) };
  const env = { GITHUB_TOKEN: TOKEN, APP_ID: String(world.appId) };
  return { world, deps, env, bare, noOwners };
}

async function cli(args: string[], env: NodeJS.ProcessEnv, deps: CliDeps) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", "apply", "--org", "acme", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const writes = (world: GitHubWorld) =>
  world.requests
    .filter((r) => r.method !== "GET" && r.path !== "/graphql")
    .map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.status}`);

/** The state and detail of a repository's row for a control in the table. */
function rowOf(table: string, repo: string, control: string): string {
  const line = table.split("\n").find((r) => r.split(/ +/)[0] === repo && r.split(/ +/)[1] === control);
  if (!line) throw new Error(`no row for ${repo} ${control} in:\n${table}`);
  return line.slice(line.indexOf(control) + control.length).trimStart();
}

const filesPullRequest = (repo: SimRepo) => repo.pulls.find((p) => p.headRef === BRANCH && p.state === "OPEN");

/** The requests one files pull request makes on a new branch. */
const prRequests = (repo: string, paths: string[]) => [
  `POST /repos/acme/${repo}/git/refs 201`,
  ...paths.map((p) => `PUT /repos/acme/${repo}/contents/${p} 201`),
  `POST /repos/acme/${repo}/pulls 201`,
];

describe("sdlc-guard apply: CODEOWNERS and SECURITY.md by pull request", () => {
  it("a dry run lists the pull request each repository needs and writes nothing", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world);
    const result = await cli([...OWNERS, ...CONTACT], env, deps);

    expect(result.code).toBe(0);
    expect(writes(world)).toEqual([]);
    expect(rowOf(result.stdout, bare.name, "codeowners")).toBe(
      "change  add .github/CODEOWNERS (* @acme/platform @octo-lead) by pull request",
    );
    expect(rowOf(result.stdout, bare.name, "security-policy")).toBe(
      "change  add SECURITY.md (report to security@acme.example) by pull request",
    );
    expect(rowOf(result.stdout, noOwners.name, "codeowners")).toMatch(/^change +add \.github\/CODEOWNERS/);
    expect(rowOf(result.stdout, noOwners.name, "security-policy")).toMatch(/^holds +SECURITY\.md present \(SECURITY\.md\)/);
    expect(result.stdout).toContain(
      `- open pull request "Add CODEOWNERS and SECURITY.md (sdlc-guard apply)" on ${bare.name} from branch ${BRANCH} into main, adding .github/CODEOWNERS, SECURITY.md`,
    );
    expect(result.stdout).toContain(`- open pull request "Add CODEOWNERS (sdlc-guard apply)" on ${noOwners.name}`);
    expect(result.stdout).toContain("Changes (2):");
    // Whether the pull request is already open is read for those two repositories only.
    const lookups = world.requests.filter((r) => r.method === "GET" && r.path.endsWith("/pulls") && r.query.includes("head="));
    expect(lookups.map((r) => r.path).sort()).toEqual([`/repos/acme/${bare.name}/pulls`, `/repos/acme/${noOwners.name}/pulls`].sort());
  });

  it("--yes makes exactly those requests and opens one pull request per repository with its files; a second run plans nothing", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    const auditFile = join(mkdtempSync(join(tmpdir(), "apply-files-audit-")), "audit.jsonl");
    const applied = await cli([...OWNERS, ...CONTACT, "--yes"], { ...env, AUDIT_LOG_PATH: auditFile }, deps);

    expect(applied.code).toBe(0);
    expect(world.violations).toEqual([]);
    expect(writes(world).sort()).toEqual(
      [...prRequests(bare.name, [".github/CODEOWNERS", "SECURITY.md"]), ...prRequests(noOwners.name, [".github/CODEOWNERS"])].sort(),
    );
    const pr = filesPullRequest(bare)!;
    expect(pr).toMatchObject({
      title: "Add CODEOWNERS and SECURITY.md (sdlc-guard apply)",
      baseRef: "main",
      author: { login: "octo-admin" },
    });
    expect(pr.body).toContain("`repository-files`");
    expect(pr.headFiles!.get(".github/CODEOWNERS")).toContain("* @acme/platform @octo-lead\n");
    expect(pr.headFiles!.get("SECURITY.md")).toContain("[security@acme.example](mailto:security@acme.example)");
    expect([...filesPullRequest(noOwners)!.headFiles!.keys()]).toEqual([".github/CODEOWNERS"]);
    // A pull request, not a commit to the default branch.
    expect(bare.files.has(".github/CODEOWNERS")).toBe(false);
    expect(rowOf(applied.stdout, bare.name, "codeowners")).toMatch(
      /^applied .*pull request #\d+; created branch sdlc-guard\/repository-files/,
    );

    expect(await verifyAuditFile(auditFile)).toMatchObject({ ok: true, records: 2 });
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.action, r.by, r.kind, r.repositories])).toEqual(
      expect.arrayContaining([
        ["apply.changed", "octo-admin", "repository-files", [bare.name]],
        ["apply.changed", "octo-admin", "repository-files", [noOwners.name]],
      ]),
    );

    const before = writes(world).length;
    const again = await cli([...OWNERS, ...CONTACT, "--yes"], env, deps);
    expect(again.code).toBe(0);
    expect(rowOf(again.stdout, bare.name, "codeowners")).toBe(`holds  pull request #${pr.number} open`);
    expect(rowOf(again.stdout, bare.name, "security-policy")).toBe(`holds  pull request #${pr.number} open`);
    expect(again.stdout).toContain("Nothing to change.");
    expect(writes(world).length).toBe(before);
  });

  it("without --codeowners a missing CODEOWNERS cannot be proposed, and says which option to give", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world);
    const result = await cli(CONTACT, env, deps);

    expect(rowOf(result.stdout, bare.name, "codeowners")).toBe("cannot  no code owners given (--codeowners @org/team)");
    expect(rowOf(result.stdout, noOwners.name, "codeowners")).toBe("cannot  no code owners given (--codeowners @org/team)");
    expect(rowOf(result.stdout, bare.name, "security-policy")).toMatch(/^change +add SECURITY\.md/);
    expect(result.stdout).toContain(`- open pull request "Add SECURITY.md (sdlc-guard apply)" on ${bare.name}`);
    expect(result.stdout).toContain("Changes (1):");
    expect(result.stderr).toMatch(/1 changes planned, 2 cannot be changed/);
    expect(writes(world)).toEqual([]);
  });

  it("when GitHub does not say whether the pull request is already open, nothing is proposed for that repository (fail closed)", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    world.failNext("GET", `/repos/acme/${bare.name}/pulls`, 502, { exact: true, times: 5 });
    const result = await cli([...OWNERS, ...CONTACT, "--yes"], env, deps);

    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, bare.name, "codeowners")).toMatch(
      /^cannot +whether a pull request from sdlc-guard\/repository-files is open could not be read: GitHub answered HTTP 502/,
    );
    expect(writes(world).filter((w) => w.includes(`/${bare.name}/`))).toEqual([]);
    expect(filesPullRequest(noOwners)).toBeDefined();
  });

  it("code owners and the security contact are validated", async () => {
    const { world, deps, env } = setup();
    const badOwner = await cli(["--codeowners", "@acme/platform,platform-team"], env, deps);
    expect(badOwner.code).toBe(2);
    expect(badOwner.stderr).toContain("code owners are @org/team or @login, comma-separated (not platform-team)");
    const badContact = await cli(["--security-contact", "http://report.example"], env, deps);
    expect(badContact.code).toBe(2);
    expect(badContact.stderr).toContain("the security contact is an e-mail address or an https URL");
    expect(world.requests).toEqual([]);
  });

  it("a 403 on opening one pull request is reported, the others proceed, and a rerun finishes it on the same branch", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    world.failNext("POST", `/repos/acme/${bare.name}/pulls`, 403, {
      exact: true,
      message: "Resource not accessible by personal access token",
    });
    const first = await cli([...OWNERS, ...CONTACT, "--yes"], env, deps);

    expect(first.code).toBe(1);
    expect(rowOf(first.stdout, bare.name, "codeowners")).toMatch(
      /^failed +add \.github\/CODEOWNERS .*refused: contents write and pull requests write on the repository are needed \(a rerun resumes\): GitHub answered HTTP 403/,
    );
    expect(rowOf(first.stdout, noOwners.name, "codeowners")).toMatch(/^applied /);
    expect(first.stderr).toContain("1 applied, 1 failed (by octo-admin)");
    expect(filesPullRequest(bare)).toBeUndefined();
    expect([...world.repositoryFiles.onBranch(bare, BRANCH).keys()].sort()).toEqual([".github/CODEOWNERS", "SECURITY.md"]);

    const before = writes(world).length;
    const requestsBefore = world.requests.length;
    const rerun = await cli([...OWNERS, ...CONTACT, "--yes"], env, deps);
    expect(rerun.code).toBe(0);
    // The branch is reused and the files on it are not written again: only the pull request is new.
    expect(writes(world).slice(before)).toEqual([`POST /repos/acme/${bare.name}/git/refs 422`, `POST /repos/acme/${bare.name}/pulls 201`]);
    expect(rowOf(rerun.stdout, bare.name, "codeowners")).toMatch(
      /^applied .*reused branch sdlc-guard\/repository-files, files already on the branch/,
    );
    expect(rowOf(rerun.stdout, noOwners.name, "codeowners")).toMatch(/^holds +pull request #\d+ open/);
    // Who applies was read once, to recognise its own open pull request, and not asked again to apply.
    expect(world.requests.slice(requestsBefore).filter((r) => r.method === "GET" && r.path === "/user")).toHaveLength(1);
    expect(filesPullRequest(bare)!.files.sort()).toEqual([".github/CODEOWNERS", "SECURITY.md"]);
    expect(world.violations).toEqual([]);
  });

  it("a failure between two files resumes with the file still missing", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    world.failNext("PUT", `/repos/acme/${bare.name}/contents/SECURITY.md`, 404, { message: "Not Found" });
    const first = await cli([...OWNERS, ...CONTACT, "--yes", "--repo", bare.name], env, deps);
    expect(first.code).toBe(1);
    expect([...world.repositoryFiles.onBranch(bare, BRANCH).keys()]).toEqual([".github/CODEOWNERS"]);

    const before = writes(world).length;
    const rerun = await cli([...OWNERS, ...CONTACT, "--yes", "--repo", bare.name], env, deps);
    expect(rerun.code).toBe(0);
    expect(writes(world).slice(before)).toEqual([
      `POST /repos/acme/${bare.name}/git/refs 422`,
      `PUT /repos/acme/${bare.name}/contents/SECURITY.md 201`,
      `POST /repos/acme/${bare.name}/pulls 201`,
    ]);
    expect(rowOf(rerun.stdout, bare.name, "security-policy")).toMatch(/^applied .*reused branch .*wrote SECURITY\.md\)/);
  });

  it("a branch sdlc-guard/repository-files someone else pushed with their own CODEOWNERS is refused: nothing written, no pull request", async () => {
    const { world, deps, env, bare, noOwners } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    plantBranch(world, bare, { ".github/CODEOWNERS": "* @octo-dev\n", "deploy/prod.yml": "replicas: 1\n" });
    const auditFile = join(mkdtempSync(join(tmpdir(), "apply-files-audit-")), "audit.jsonl");
    const result = await cli([...OWNERS, ...CONTACT, "--yes"], { ...env, AUDIT_LOG_PATH: auditFile }, deps);

    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, bare.name, "codeowners")).toMatch(
      /^failed +.*refused: branch sdlc-guard\/repository-files exists with other content: review or delete it \(\.github\/CODEOWNERS differs from the planned content; deploy\/prod\.yml is not planned\)$/,
    );
    expect(filesPullRequest(bare)).toBeUndefined();
    expect(writes(world).filter((w) => w.includes(`/${bare.name}/`))).toEqual([`POST /repos/acme/${bare.name}/git/refs 422`]);
    expect(world.repositoryFiles.onBranch(bare, BRANCH).get(".github/CODEOWNERS")).toBe("* @octo-dev\n");
    // The other repository is not held back; the audit says the change was refused.
    expect(filesPullRequest(noOwners)).toBeDefined();
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((r) => (r.repositories as string[])[0] === bare.name)).toMatchObject({ action: "apply.failed" });
    expect(world.violations).toEqual([]);
  });

  it("a branch holding only part of the planned content, exactly as planned, is resumed", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world, ["GET", "POST", "PUT"]);
    plantBranch(world, bare, { ".github/CODEOWNERS": codeownersContent(["@acme/platform", "@octo-lead"]) });
    const result = await cli([...OWNERS, ...CONTACT, "--yes", "--repo", bare.name], env, deps);

    expect(result.code).toBe(0);
    expect(writes(world)).toEqual([
      `POST /repos/acme/${bare.name}/git/refs 422`,
      `PUT /repos/acme/${bare.name}/contents/SECURITY.md 201`,
      `POST /repos/acme/${bare.name}/pulls 201`,
    ]);
    expect(filesPullRequest(bare)!.files.sort()).toEqual([".github/CODEOWNERS", "SECURITY.md"]);
  });

  it("a pull request from sdlc-guard/repository-files opened by someone else with other content is not taken as done", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world);
    const headSha = plantBranch(world, bare, { ".github/CODEOWNERS": "* @octo-dev\n" });
    const pr = world.addPullRequest(bare, {
      number: 77,
      title: "Add CODEOWNERS and SECURITY.md (sdlc-guard apply)",
      body: "",
      headRef: BRANCH,
      headSha,
      baseRef: "main",
      author: { login: "octo-dev" },
      files: [".github/CODEOWNERS"],
      headFiles: new Map([[".github/CODEOWNERS", "* @octo-dev\n"]]),
    });
    const result = await cli([...OWNERS, ...CONTACT, "--yes", "--repo", bare.name], env, deps);

    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, bare.name, "codeowners")).toBe(
      `cannot  pull request #${pr.number} from sdlc-guard/repository-files was opened by octo-dev with other content than planned: review or close it`,
    );
    expect(rowOf(result.stdout, bare.name, "security-policy")).toMatch(/^cannot +pull request #77 /);
    expect(writes(world)).toEqual([]);
    expect(world.violations).toEqual([]);
  });

  it("a pull request the applier itself opened, whose branch someone pushed other content to since, is not taken as done", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world);
    // Opened by octo-admin (the token's user) on an earlier run; then a developer pushed their own CODEOWNERS to the branch.
    const headSha = plantBranch(world, bare, { ".github/CODEOWNERS": "* @octo-dev\n" });
    world.addPullRequest(bare, { number: 78, headRef: BRANCH, headSha, baseRef: "main", author: { login: "octo-admin" } });
    const result = await cli([...OWNERS, ...CONTACT, "--repo", bare.name], env, deps);

    expect(rowOf(result.stdout, bare.name, "codeowners")).toBe(
      `cannot  pull request #78 from sdlc-guard/repository-files was opened by octo-admin with other content than planned: review or close it`,
    );
    expect(writes(world)).toEqual([]);
    expect(world.violations).toEqual([]);
  });

  it("when the content of a pull request someone else opened from that branch cannot be read, it is not taken as done (fail closed)", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world);
    const headSha = plantBranch(world, bare, { ".github/CODEOWNERS": "* @octo-dev\n" });
    world.addPullRequest(bare, { number: 79, headRef: BRANCH, headSha, baseRef: "main", author: { login: "octo-dev" } });
    world.failNext("GET", `/repos/acme/${bare.name}/compare/`, 502, { times: 5 });
    const result = await cli([...OWNERS, ...CONTACT, "--repo", bare.name], env, deps);

    expect(rowOf(result.stdout, bare.name, "codeowners")).toMatch(
      /^cannot +whether a pull request from sdlc-guard\/repository-files is open could not be read: pull request #79 was opened by octo-dev; its content could not be compared: GitHub answered HTTP 502/,
    );
    expect(result.stdout).not.toContain("Changes (");
  });

  it("a pull request from that branch opened by someone else with exactly the planned content holds", async () => {
    const { world, deps, env, bare } = setup();
    routeToWorld(world);
    const files = {
      ".github/CODEOWNERS": codeownersContent(["@acme/platform", "@octo-lead"]),
      "SECURITY.md": securityPolicyContent("security@acme.example"),
    };
    const headSha = plantBranch(world, bare, files);
    world.addPullRequest(bare, {
      number: 78,
      title: "Add CODEOWNERS and SECURITY.md (sdlc-guard apply)",
      body: "",
      headRef: BRANCH,
      headSha,
      baseRef: "main",
      author: { login: "octo-other-admin" },
      files: Object.keys(files),
      headFiles: new Map(Object.entries(files)),
    });
    const result = await cli([...OWNERS, ...CONTACT, "--repo", bare.name], env, deps);

    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, bare.name, "codeowners")).toBe(
      "holds  pull request #78 open (opened by octo-other-admin, content as planned)",
    );
  });
});

/** A branch sdlc-guard/repository-files from the default branch's head with these files on it, as a push would leave it. */
function plantBranch(world: GitHubWorld, repo: SimRepo, files: Record<string, string>): string {
  let sha = "";
  for (const [path, text] of Object.entries(files)) {
    world.repositoryFiles.onBranch(repo, BRANCH).set(path, text);
    sha = world.commit(repo, BRANCH, `add ${path}`);
  }
  return sha;
}

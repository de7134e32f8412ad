import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import type { CliDeps } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { startSimulator } from "../../sim/server.js";
import { mockGitHub, warmUpGitHubModel, worldsInTest } from "../support/github-mock.js";
import { testPrivateKey } from "../support/test-app.js";
import { displayWidth, TERMINAL_WIDTH } from "../../src/report/terminal-text.js";

const TOKEN = "ghp_cliTestToken0123456789abcdefABCDEF";
const NOW = () => new Date("2026-11-21T09:00:00Z");

/** Probot's Octokit with retries and throttling off, as in test/support/test-app.ts. */
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

async function cli(args: string[], env: NodeJS.ProcessEnv, deps: CliDeps = { Octokit: TestOctokit, now: NOW }) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } };
  const code = await runCli(["/usr/bin/node", "/app/dist/src/cli/main.js", ...args], env, io, deps);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

function setup(prOverrides: Parameters<typeof compliantPullRequest>[3] = {}) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 1, prOverrides);
  // The `authorization` header of every request GitHub received, in order.
  const authorizations: string[] = [];
  const handle = world.handle.bind(world);
  world.handle = (method, url, body, headers = {}) => {
    authorizations.push(`${method} ${url.split("?")[0]} ${String(headers.authorization ?? "none").split(" ")[0]}`);
    return handle(method, url, body, headers);
  };
  return { world, repo, pr, authorizations };
}

/** The reads of a first evaluation in a repository: `expectEvaluation` without the check-run write. */
function expectDryRun(world: GitHubWorld) {
  return mockGitHub(world)
    .expectConfigFiles("acme", "payments")
    .expect("POST", "/graphql")
    .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
    .expect("GET", "/repos/acme/payments");
}

const writes = (world: GitHubWorld) =>
  world.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql" && !r.path.startsWith("/app/"));

describe("sdlc-guard evaluate (dry run)", () => {
  beforeAll(warmUpGitHubModel);

  it("evaluate prints the check run it would post and writes nothing", async () => {
    const { world, repo, authorizations } = setup();
    expectDryRun(world);

    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^sdlc-guard: success \(acme\/payments#1 at [0-9a-f]{12}\)$/);
    expect(lines[1]).toBe("All required controls pass");
    expect(lines[2]).toBe("");
    // The table as a terminal shows it: aligned columns, no Markdown pipes, no hidden results block.
    expect(stdout).toMatch(/^`reviews`\s+✅ pass\s+required\s/m);
    expect(stdout).toMatch(/^Control\s+Result\s+Enforcement\s+Reason\s+How to fix$/m);
    expect(stdout).not.toContain("<!--");
    expect(stdout.split("\n").filter((line) => displayWidth(line) > TERMINAL_WIDTH)).toEqual([]);
    expect(stdout.trimEnd().split("\n").pop()).toBe("(dry run: nothing was written to GitHub; 6 GitHub requests)");
    expect(stderr).toBe("");
    // Nothing written: no check run created or updated, in the requests or in the world.
    expect(writes(world)).toEqual([]);
    expect(world.requests.some((r) => r.path.includes("check-runs"))).toBe(false);
    expect(repo.checkRuns).toEqual([]);
    // Every request carried the token (as `authorization: token …`), and the token is never printed.
    expect(authorizations).toHaveLength(6);
    expect(authorizations.every((a) => a.endsWith(" token"))).toBe(true);
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it("a failing PR exits 1 and names the failing control", async () => {
    const { world, repo, pr } = setup();
    pr.reviews = [approval("rev-bob", pr.headSha)];
    expectDryRun(world);

    const { code, stdout } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(1);
    expect(stdout.split("\n")[0]).toMatch(/^sdlc-guard: failure /);
    expect(stdout.split("\n")[1]).toBe("1 required control(s) failing: reviews");
    expect(stdout).toMatch(/^`reviews`\s+❌ fail\s+required\s+1 of 2 required approvals/m);
    expect(repo.checkRuns).toEqual([]);
  });

  it("evaluate prints the rules that apply to the PR, with why (and --json lists them)", async () => {
    const { world, repo } = setup({ files: ["infra/main.tf"] });
    repo.files.set(
      ".github/sdlc-guard.yml",
      'controls:\n  jira: { projects: [PAY] }\nrules:\n  - name: infrastructure changes need three approvals\n    if: { paths: ["infra/**"] }\n    controls:\n      reviews: { min_approvals: 3 }\n',
    );
    expectDryRun(world);
    expectDryRun(world);

    const { code, stdout } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });
    const json = await cli(["evaluate", "acme/payments#1", "--json"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(1);
    expect(stdout).toContain("\nrule applied: infrastructure changes need three approvals (infra/main.tf)\n");
    expect((JSON.parse(json.stdout) as { rules: unknown }).rules).toEqual({
      matched: [{ name: "infrastructure changes need three approvals", why: "infra/main.tf" }],
      undecided: [],
    });
  });

  it("evaluate of a PR adding a rule lists, as its check run would, the open PRs whose verdict the rule would flip", async () => {
    const rule =
      'rules:\n  - name: infra needs 3 approvals\n    if: { paths: ["infra/**"] }\n    controls:\n      reviews: { min_approvals: 3 }\n';
    const policy = "controls:\n  jira: { projects: [PAY] }\n";
    const { world, repo } = setup({
      files: [".github/sdlc-guard.yml"],
      headFiles: new Map([[".github/sdlc-guard.yml", `${policy}${rule}`]]),
    });
    repo.files.set(".github/sdlc-guard.yml", policy);
    compliantPullRequest(world, repo, 12, { title: "Fix login", files: ["infra/main.tf"] });
    expectDryRun(world)
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml?ref=*") // the proposed file
      .expect("GET", "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml") // the org file it inherits
      .expect("POST", "/graphql", 2); // the open PRs, then #12's snapshot

    const { code, stdout } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(0);
    expect(stdout).toContain("Rules changed: rule `infra needs 3 approvals` added.");
    expect(stdout).toContain("Merged, it would change the verdict of these among the 1 other open pull request:");
    expect(stdout).toContain("- #12 `Fix login` would fail: reviews (rule `infra needs 3 approvals`)");
    expect(stdout).not.toContain("- `rules` `[]`"); // the rules are named, not dumped as JSON
    expect(repo.checkRuns).toEqual([]);
  });

  it("--json prints one JSON object with the conclusion, report, per-control results and request count (PR given as a URL)", async () => {
    const { world, repo, pr } = setup();
    expectDryRun(world);

    const { code, stdout } = await cli(["evaluate", "https://github.com/acme/payments/pull/1", "--json"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      pullRequest: "acme/payments#1",
      headSha: pr.headSha,
      conclusion: "success",
      title: "All required controls pass",
      githubRequests: 6, // the org policy file is read too (every repository inherits it)
      dryRun: true,
    });
    expect(result.summary).toContain("| `reviews` | ✅ pass |");
    const results = result.results as { id: string; outcome: string; enforcement: string }[];
    expect(results.find((r) => r.id === "reviews")).toMatchObject({ outcome: "pass", enforcement: "required" });
    expect(results.map((r) => r.id)).toEqual(expect.arrayContaining(["branch-protection", "reviews", "jira", "secret-scanning"]));
    expect(repo.checkRuns).toEqual([]);
  });

  it("with the app's credentials it finds the installation of the repository and reads as that installation", async () => {
    const { world, repo, authorizations } = setup();
    mockGitHub(world).expect("GET", "/repos/acme/payments/installation").expectToken();
    expectDryRun(world);
    const key = testPrivateKey();

    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], {
      APP_ID: String(world.appId),
      PRIVATE_KEY: key.replace(/\n/g, "\\n"),
      LOG_LEVEL: "trace",
    });

    expect(code).toBe(0);
    expect(stdout).toContain("sdlc-guard: success");
    // The installation is looked up with the app's JWT; its token is then created with the JWT and used for every read.
    expect(authorizations.slice(0, 3)).toEqual([
      "GET /repos/acme/payments/installation bearer",
      "POST /app/installations/77/access_tokens bearer",
      "GET /repos/acme/payments/contents/.github%2Fsdlc-guard.yml token",
    ]);
    expect(authorizations.slice(2).every((a) => a.endsWith(" token"))).toBe(true);
    expect(writes(world)).toEqual([]);
    expect(repo.checkRuns).toEqual([]);
    // Even at LOG_LEVEL=trace, neither the key nor the installation token is printed.
    expect(stderr).toContain("dry run: sdlc-guard success for acme/payments#1");
    const keyBody = key.split("\n")[5]!;
    expect(stdout + stderr).not.toContain(keyBody);
    expect(stdout + stderr).not.toContain("ghs_simulated77");
  });

  it("reads the app's private key from PRIVATE_KEY_PATH", async () => {
    const { world } = setup();
    mockGitHub(world).expect("GET", "/repos/acme/payments/installation").expectToken();
    expectDryRun(world);
    const dir = mkdtempSync(join(tmpdir(), "sdlc-guard-cli-"));
    try {
      writeFileSync(join(dir, "key.pem"), testPrivateKey());
      const { code, stdout } = await cli(["evaluate", "acme/payments#1", "--json"], {
        APP_ID: String(world.appId),
        PRIVATE_KEY_PATH: join(dir, "key.pem"),
      });
      expect(code).toBe(0);
      // The evaluation's requests include the installation token it had to create first (the lookup is not counted).
      expect(JSON.parse(stdout)).toMatchObject({ conclusion: "success", githubRequests: 7 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an app not installed on the repository: exit 2 with the reason", async () => {
    const world = new GitHubWorld();
    mockGitHub(world).expect("GET", "/repos/acme/elsewhere/installation");

    const { code, stdout, stderr } = await cli(["evaluate", "acme/elsewhere#3"], {
      APP_ID: String(world.appId),
      PRIVATE_KEY: testPrivateKey(),
    });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "sdlc-guard: cannot authenticate as the GitHub App: app 4242 is not installed on acme/elsewhere (or the repository does not exist)\n",
    );
  });

  it("a private key that is not a usable key: exit 2 before any request, without the key", async () => {
    const key = "-----BEGIN RSA PRIVATE KEY-----\\nTm90QUtleQ==\\n-----END RSA PRIVATE KEY-----";
    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], { APP_ID: "4242", PRIVATE_KEY: key });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^sdlc-guard: cannot authenticate as the GitHub App: could not sign a request with the private key, or reach GitHub \(.+\)\n$/,
    );
    expect(stderr).not.toContain("Tm90QUtleQ");
  });

  it.each([
    ["acme/payments", "is not a pull request: expected <owner>/<repo>#<number>"],
    ["acme/payments#x", "is not a pull request"],
    ["acme/payments#0", "is not a pull request"],
    ["https://gitlab.com/acme/payments/pull/1", "is on gitlab.com, but this command talks to github.com"],
  ])("a bad pull request argument %p: exit 2 with the usage on stderr, no request", async (arg, message) => {
    const { code, stdout, stderr } = await cli(["evaluate", arg], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`error: command-argument value '${arg}' is invalid for argument 'pr'.`);
    expect(stderr).toContain(message);
    expect(stderr).toContain("Usage: sdlc-guard evaluate [options] <pr>");
  });

  it("usage errors: no command, a missing argument, an unknown option or command all exit 2 on stderr", async () => {
    const none = await cli([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: sdlc-guard [options] [command]");
    expect(none.stderr).toContain("evaluate [options] <pr>");

    const missing = await cli(["evaluate"], {});
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toContain("error: missing required argument 'pr'");

    const unknownOption = await cli(["evaluate", "acme/payments#1", "--jsn"], {});
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("error: unknown option '--jsn'");
    expect(unknownOption.stderr).toContain("(Did you mean --json?)");

    const unknownCommand = await cli(["evaluat", "acme/payments#1"], {});
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("error: unknown command 'evaluat'");
  });

  it("--help prints the usage on stdout and exits 0", async () => {
    const top = await cli(["--help"], {});
    expect(top).toMatchObject({ code: 0, stderr: "" });
    expect(top.stdout).toContain("Usage: sdlc-guard [options] [command]");
    expect(top.stdout).toContain("evaluate [options] <pr>");

    const evaluate = await cli(["evaluate", "--help"], {});
    expect(evaluate.code).toBe(0);
    expect(evaluate.stdout).toContain("--json");
    expect(evaluate.stdout).toContain("Exit codes: 0 the check run would succeed; 1 it would fail or is pending; 2 usage");
  });

  it("no credentials: exit 2 naming GITHUB_TOKEN and APP_ID, before any request", async () => {
    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], { PATH: "/usr/bin" });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^sdlc-guard: no GitHub credentials: set GITHUB_TOKEN .*APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH/);
  });

  it.each([
    [{ APP_ID: "4242" }, "APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is"],
    [{ PRIVATE_KEY: "x" }, "PRIVATE_KEY/PRIVATE_KEY_PATH is set but APP_ID is not"],
    [{ APP_ID: "my-app", PRIVATE_KEY: "x" }, 'APP_ID must be the GitHub App\'s numeric id, not "my-app"'],
    [{ APP_ID: "4242", PRIVATE_KEY: "not a key" }, "PRIVATE_KEY is not a PEM private key"],
    [
      { APP_ID: "4242", PRIVATE_KEY_PATH: "/nonexistent/sdlc-guard.pem" },
      "cannot read PRIVATE_KEY_PATH /nonexistent/sdlc-guard.pem: ENOENT",
    ],
    [{ GITHUB_TOKEN: TOKEN, LOG_LEVEL: "loud" }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud"'],
    [{ GITHUB_TOKEN: TOKEN, GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "ftp" }, 'GHE_PROTOCOL must be https or http, not "ftp"'],
  ] as [Record<string, string>, string][])("incomplete or invalid settings %p: exit 2 with what to fix", async (env, message) => {
    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], env);

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it.each([
    ["CLOSED", "pull request is closed"],
    ["MERGED", "pull request is merged"],
  ] as const)("a %s PR: exit 2, nothing to evaluate", async (state, reason) => {
    const { world, repo } = setup({ state });
    mockGitHub(world).expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`sdlc-guard: nothing to evaluate for acme/payments#1: ${reason} (only open pull requests get a check run)\n`);
    expect(repo.checkRuns).toEqual([]);
  });

  it("a PR that does not exist: exit 2, not found", async () => {
    const { world } = setup();
    mockGitHub(world).expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    const { code, stderr } = await cli(["evaluate", "acme/payments#404"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(2);
    expect(stderr).toContain("nothing to evaluate for acme/payments#404: pull request not found");
  });

  it("a GitHub 502: exit 2 with the HTTP status, no stack trace and no token", async () => {
    const { world, repo } = setup();
    world.failNext("POST", "/graphql", 502);
    mockGitHub(world).expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    const { code, stdout, stderr } = await cli(["evaluate", "acme/payments#1"], { GITHUB_TOKEN: TOKEN });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("sdlc-guard: cannot evaluate acme/payments#1: GitHub answered HTTP 502 (simulated HTTP 502)\n");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(TOKEN);
    expect(repo.checkRuns).toEqual([]);
  });

  it("GHE_HOST: talks to GitHub Enterprise Server (here the simulator over HTTP) with Probot's default Octokit", async () => {
    const world = new GitHubWorld();
    worldsInTest.push(world);
    const repo = compliantRepo(world);
    compliantPullRequest(world, repo, 1);
    const server = await startSimulator(world);
    try {
      const env = { GITHUB_TOKEN: TOKEN, GHE_HOST: server.host, GHE_PROTOCOL: "http" };
      const { code, stdout, stderr } = await cli(["evaluate", `http://${server.host}/acme/payments/pull/1/files`], env, {});

      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("sdlc-guard: success (acme/payments#1");
      expect(world.requests.map((r) => `${r.method} ${r.path}`)).toContain("POST /graphql");
      expect(writes(world)).toEqual([]);
      expect(repo.checkRuns).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("the sdlc-guard executable", () => {
  it("package.json's bin points to the file tsc emits for src/cli/main.ts, which starts with a node shebang", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { bin?: Record<string, string>; dependencies?: Record<string, string> };
    const build = JSON.parse(readFileSync("tsconfig.build.json", "utf8")) as { extends: string; include: string[] };
    const base = JSON.parse(readFileSync("tsconfig.json", "utf8")) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(pkg.bin?.["sdlc-guard"]).toBe("dist/src/cli/main.js");
    // tsconfig.json: rootDir ".", outDir "dist": src/cli/main.ts is emitted as dist/src/cli/main.js.
    expect(build).toMatchObject({ extends: "./tsconfig.json", include: expect.arrayContaining(["src"]) });
    expect(base.compilerOptions).toMatchObject({ rootDir: ".", outDir: "dist" });
    expect(readFileSync("src/cli/main.ts", "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(pkg.dependencies?.commander).toMatch(/^\^14\./);
  });
});

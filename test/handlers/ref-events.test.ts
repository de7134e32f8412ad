import nock from "nock";
import { GitHubWorld, rulesetRule, sha, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deploymentProtectionRuleEvent, pushEvent, releaseEvent, tagCreateEvent, tagPushEvent } from "../../sim/webhook-payloads.js";
import { runIdOfCallback } from "../../src/evaluation/evaluate-deployment.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { GITHUB_API, mockGitHub } from "../support/github-mock.js";
import { captureLog, createTestApp } from "../support/test-app.js";

const CONFIG = ".github%2Fsdlc-guard.yml";

/** acme/payments with `main` protected and one PR merged into it (its sdlc-guard run passed on its head). */
function world() {
  const w = new GitHubWorld();
  const repo = compliantRepo(w);
  const pr = compliantPullRequest(w, repo, 12);
  repo.checkRuns.push({
    id: 1,
    appId: w.appId,
    name: "sdlc-guard",
    headSha: pr.headSha,
    status: "completed",
    conclusion: "success",
    output: { title: "All required controls pass", summary: "" },
    externalId: "pr-12",
  });
  return { world: w, repo, pr };
}

const runOn = (repo: SimRepo, commitSha: string) => repo.checkRuns.filter((r) => r.headSha === commitSha && r.name === "sdlc-guard");
const rowsOn = (repo: SimRepo, commitSha: string) =>
  Object.fromEntries(decodeResults(runOn(repo, commitSha)[0]?.output.summary).map((r) => [r.id, `${r.enforcement}:${r.outcome}`]));

describe("pushes to protected branches: direct-push and force-push", () => {
  it("a commit merged through a PR is fine: the merge commit gets a passing run and no issue is opened", async () => {
    const { world: w, repo, pr } = world();
    const probot = createTestApp(w);
    // Config, then one GraphQL query (protection, the pushed commits' PRs, our run), then the run on the new head.
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pushEvent(w, repo, { merged: pr, modified: ["src/app.ts"] }) as never);

    const head = repo.git.branches.get("main")!;
    expect(runOn(repo, head)).toHaveLength(1);
    expect(runOn(repo, head)[0]!.conclusion).toBe("success");
    expect(rowsOn(repo, head)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:pass",
      "force-push": "required:pass",
    });
    expect(w.issues.list("acme", "payments")).toEqual([]);
  });

  it("a commit pushed straight to main is a violation: a failing run on the pushed head and one labelled issue", async () => {
    const { world: w, repo } = world();
    const direct = w.commit(repo, "main", "hotfix without review");
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [direct], sender: "mallory" }) as never);

    const [run] = runOn(repo, direct);
    expect(run!.conclusion).toBe("failure");
    expect(run!.output.title).toBe("1 required control(s) failing: direct-push");
    expect(run!.output.summary).toContain(`did not arrive through a merged pull request: \`${direct.slice(0, 7)}\``);
    const [issue] = w.issues.list("acme", "payments");
    expect(issue).toMatchObject({ title: "sdlc-guard: direct pushes to protected branches", labels: ["sdlc-guard"], state: "open" });
    expect(issue!.body).toContain("@mallory");
    expect(issue!.body).toContain(`https://github.com/acme/payments/commit/${direct}`);
  });

  it("two direct pushes produce one issue with two occurrences; a redelivery adds nothing", async () => {
    const { world: w, repo } = world();
    const probot = createTestApp(w, { cacheTtlMs: 60_000 });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 3)
      .expect("POST", "/repos/acme/payments/check-runs", 2)
      .expect("PATCH", "/repos/acme/payments/check-runs/*")
      .expect("GET", "/repos/acme/payments/issues", 3)
      .expect("POST", "/repos/acme/payments/issues")
      .expect("GET", "/repos/acme/payments/issues/1/comments")
      .expect("POST", "/repos/acme/payments/issues/1/comments");

    const first = w.commit(repo, "main", "first direct commit");
    const firstPush = pushEvent(w, repo, { shas: [first] });
    await probot.receive(firstPush as never);
    const second = w.commit(repo, "main", "second direct commit");
    await probot.receive(pushEvent(w, repo, { shas: [second], before: first }) as never);
    await probot.receive(firstPush as never);

    const issues = w.issues.list("acme", "payments");
    expect(issues).toHaveLength(1);
    expect(w.issues.comments("acme", "payments", issues[0]!.number)).toHaveLength(1);
    expect(issues[0]!.body).toContain(first.slice(0, 12));
    expect(w.issues.comments("acme", "payments", issues[0]!.number)[0]!.body).toContain(second.slice(0, 12));
  });

  it("two direct pushes delivered at once still open one issue", async () => {
    const { world: w, repo } = world();
    const probot = createTestApp(w, { cacheTtlMs: 60_000 });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs", 2)
      .expect("GET", "/repos/acme/payments/issues", 2)
      .expect("POST", "/repos/acme/payments/issues")
      .expect("GET", "/repos/acme/payments/issues/1/comments")
      .expect("POST", "/repos/acme/payments/issues/1/comments");
    const first = w.commit(repo, "main", "one");
    const firstPush = pushEvent(w, repo, { shas: [first] });
    const second = w.commit(repo, "main", "two");
    const secondPush = pushEvent(w, repo, { shas: [second], before: first });

    await Promise.all([probot.receive(firstPush as never), probot.receive(secondPush as never)]);

    expect(w.issues.list("acme", "payments")).toHaveLength(1);
    expect(w.issues.comments("acme", "payments", 1)).toHaveLength(1);
  });

  it("a merge GitHub links to its commits a moment after the push is not taken for a direct push (asked again once)", async () => {
    const { world: w, repo, pr } = world();
    const push = pushEvent(w, repo, { merged: pr });
    // GitHub's association lags: the first query sees the PR still open, the second one merged.
    Object.assign(pr, { state: "OPEN" });
    const handle = w.handle.bind(w);
    let graphqlCalls = 0;
    w.handle = (method, url, body, headers) => {
      if (url === "/graphql" && ++graphqlCalls === 2) Object.assign(pr, { state: "MERGED" });
      return handle(method, url, body, headers);
    };
    const probot = createTestApp(w, { associationRetryMs: 1 });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(push as never);

    expect(runOn(repo, repo.git.branches.get("main")!)[0]!.conclusion).toBe("success");
  });

  it("a bypass actor is reported but allowed: the run passes and names the actor, no issue", async () => {
    const { world: w, repo } = world();
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  direct-push:\n    bypass_actors: ['release-bot[bot]']\n");
    const bump = w.commit(repo, "main", "chore: release 1.4.0");
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pushEvent(w, repo, { shas: [bump], sender: "release-bot[bot]" }) as never);

    const [run] = runOn(repo, bump);
    expect(run!.conclusion).toBe("success");
    expect(run!.output.summary).toContain("release-bot[bot]");
    expect(run!.output.summary).toContain("bypass_actors");
    expect(w.issues.list("acme", "payments")).toEqual([]);
  });

  it("a forced push is a violation, also by a bypass actor", async () => {
    const { world: w, repo } = world();
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  direct-push:\n    bypass_actors: ['release-bot[bot]']\n");
    const rewritten = w.commit(repo, "main", "rewritten history");
    w.repo("acme", "payments")!.pulls[0]!.state = "CLOSED";
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls") // a forced push to main may have rewritten the config: open PRs (none) re-evaluated
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [rewritten], before: sha("gone"), forced: true, sender: "release-bot[bot]" }) as never);

    expect(runOn(repo, rewritten)[0]!.conclusion).toBe("failure");
    expect(rowsOn(repo, rewritten)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:pass",
      "force-push": "required:fail",
    });
    expect(w.issues.list("acme", "payments").map((i) => i.title)).toEqual(["sdlc-guard: force pushes and deletions of protected branches"]);
  });

  it("deleting a protected branch is a violation reported on its last commit (rules matched by name)", async () => {
    const { world: w, repo } = world();
    repo.branchRules.set("release/1.x", [rulesetRule.deletion()]);
    const last = w.commit(repo, "release/1.x", "release branch");
    repo.git.branches.delete("release/1.x");
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/repos/acme/payments/rules/branches/release%2F1.x")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { branch: "release/1.x", before: last, deleted: true }) as never);

    expect(runOn(repo, last)[0]!.conclusion).toBe("failure");
    expect(runOn(repo, last)[0]!.output.summary).toContain("Protected branch `release/1.x` was deleted");
  });

  it("a push to an unprotected feature branch is not judged: one query, nothing written", async () => {
    const { world: w, repo } = world();
    const commit = w.commit(repo, "feature/x", "work in progress");
    const probot = createTestApp(w);
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pushEvent(w, repo, { branch: "feature/x", shas: [commit], created: true }) as never);

    expect(runOn(repo, commit)).toEqual([]);
  });

  it("a push to a feature branch whose protection cannot be read is not judged: logged, nothing written", async () => {
    const { world: w, repo } = world();
    const commit = w.commit(repo, "feature/x", "work in progress");
    w.failNext("POST", "/graphql", 502);
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pushEvent(w, repo, { branch: "feature/x", shas: [commit], created: true }) as never);

    expect(runOn(repo, commit)).toEqual([]);
    expect(text()).toContain("could not tell whether the pushed branch is protected");
  });

  it("rulesets GitHub does not show: main is still judged (known protected), a feature branch is not (unknown)", async () => {
    const { world: w, repo, pr } = world();
    repo.rulesHidden = true;
    const direct = w.commit(repo, "feature/x", "work in progress");
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pushEvent(w, repo, { merged: pr }) as never);
    await probot.receive(pushEvent(w, repo, { branch: "feature/x", shas: [direct], created: true }) as never);

    expect(text()).toContain('"protected_by":"default branch, classic rule `main`"');
    expect(runOn(repo, direct)).toEqual([]);
    expect(w.issues.list("acme", "payments")).toEqual([]);
  });

  it("a push longer than the payload lists (GitHub's cap: 2048) is read in full from compare, its commits' PRs in batches of 50", async () => {
    const { world: w, repo, pr } = world();
    pr.state = "CLOSED"; // a push of 2048 listed commits may have changed the config unseen: open PRs (none) are re-evaluated
    const before = repo.git.branches.get("main")!;
    const shas = Array.from({ length: 2100 }, (_, i) => w.commit(repo, "main", `direct ${i}`));
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 42) // the push with the first 50 listed commits, then 2,050 more in batches of 50
      .expect("GET", `/repos/acme/payments/compare/${before}...${shas[2099]}`, 21) // 100 commits a page
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: shas.slice(0, 2048), before, after: shas[2099] }) as never);

    expect(runOn(repo, shas[2099]!)[0]!.output.summary).toContain("2100 of 2100 commit(s)");
  });

  it("a push of more commits than sdlc-guard verifies one by one fails closed, saying so", async () => {
    const { world: w, repo, pr } = world();
    pr.state = "CLOSED"; // a push of 2048 listed commits may have changed the config unseen: open PRs (none) are re-evaluated
    const before = repo.git.branches.get("main")!;
    const shas = Array.from({ length: 5001 }, (_, i) => w.commit(repo, "main", `bulk ${i}`));
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", `/repos/acme/payments/compare/${before}...${shas[5000]}`)
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: shas.slice(0, 2048), before, after: shas[5000] }) as never);

    expect(rowsOn(repo, shas[5000]!)["direct-push"]).toBe("required:error");
    expect(runOn(repo, shas[5000]!)[0]!.output.summary).toContain("the push adds 5001 commits, more than the 5000");
  });

  it("when the protection cannot be read on a push to the default branch, direct-push fails closed with the reason (the payload still shows it was not forced)", async () => {
    const { world: w, repo } = world();
    const direct = w.commit(repo, "main", "hotfix");
    w.failNext("POST", "/graphql", 502);
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", `/repos/acme/payments/commits/${direct}/check-runs`)
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);

    expect(runOn(repo, direct)[0]!.conclusion).toBe("failure");
    expect(rowsOn(repo, direct)).toEqual({
      "merged-unverified": "required:error",
      "direct-push": "required:error",
      "force-push": "required:pass",
    });
    expect(runOn(repo, direct)[0]!.output.summary).toContain("GitHub answered HTTP 502");
    expect(text()).toContain('"action":"push.evaluated"');
  });
});

describe("tags and releases: release-tag, signed-release, release-notes", () => {
  /** `name` on the squash commit of compliant PR #12 (the commit a release tag must name), or on a commit outside main. */
  function tagged(name: string, opts: { onMain?: boolean; signed?: boolean; annotated?: boolean } = {}) {
    const setup = world();
    const { world: w, repo, pr } = setup;
    const commitSha = opts.onMain === false ? w.commit(repo, "feature/x", "unreleased work") : w.mergePullRequest(repo, pr, "squash").after;
    const annotated = opts.annotated ?? true;
    repo.git.tags.set(name, {
      commitSha,
      ...(annotated
        ? { annotated: { sha: sha(`tag-${name}`), verified: opts.signed ?? true, reason: opts.signed === false ? "unsigned" : "valid" } }
        : {}),
    });
    return { ...setup, commitSha };
  }

  const expectTag = (w: GitHubWorld, opts: { annotated?: boolean; issue?: boolean } = {}) => {
    const api = mockGitHub(w).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");
    if (opts.annotated ?? true) api.expect("GET", "/repos/acme/payments/git/tags/*");
    api.expect("POST", "/repos/acme/payments/check-runs");
    if (opts.issue) api.expect("GET", "/repos/acme/payments/issues").expect("POST", "/repos/acme/payments/issues");
    return api;
  };

  it("a signed semver tag on main passes", async () => {
    const { world: w, repo, commitSha } = tagged("v1.4.0");
    const probot = createTestApp(w);
    expectTag(w);

    await probot.receive(tagCreateEvent(w, repo, "v1.4.0") as never);

    expect(runOn(repo, commitSha)[0]!.conclusion).toBe("success");
    expect(rowsOn(repo, commitSha)).toEqual({ "release-tag": "required:pass", "signed-release": "advisory:pass" });
  });

  it("tag 1.2 is not semver: the tag's commit fails and an issue is opened", async () => {
    const { world: w, repo, commitSha } = tagged("1.2");
    const probot = createTestApp(w);
    expectTag(w, { issue: true });

    await probot.receive(tagCreateEvent(w, repo, "1.2") as never);

    expect(runOn(repo, commitSha)[0]!.conclusion).toBe("failure");
    expect(runOn(repo, commitSha)[0]!.output.summary).toContain("Tag `1.2` is not a semantic version like `v1.4.0`");
    expect(w.issues.list("acme", "payments").map((i) => i.title)).toEqual(["sdlc-guard: release tags outside the versioning policy"]);
  });

  it("a tag on a commit outside main fails", async () => {
    const { world: w, repo, commitSha } = tagged("v2.0.0", { onMain: false });
    const probot = createTestApp(w);
    expectTag(w, { issue: true });

    await probot.receive(tagCreateEvent(w, repo, "v2.0.0") as never);

    expect(rowsOn(repo, commitSha)["release-tag"]).toBe("required:fail");
    expect(runOn(repo, commitSha)[0]!.output.summary).toContain("not on the default branch");
  });

  it.each([
    ["a lightweight tag", { annotated: false } as { annotated?: boolean; signed?: boolean }],
    ["an annotated tag whose signature GitHub does not verify", { signed: false }],
  ])("an unsigned tag is an advisory finding: %s warns, the run still passes, no issue", async (_name, opts) => {
    const { world: w, repo, commitSha } = tagged("v1.5.0", opts);
    const probot = createTestApp(w);
    expectTag(w, { annotated: opts.annotated ?? true });

    await probot.receive(tagCreateEvent(w, repo, "v1.5.0") as never);

    const [run] = runOn(repo, commitSha);
    expect(run!.conclusion).toBe("success");
    expect(run!.output.title).toBe("All required controls pass; advisory: signed-release");
    expect(rowsOn(repo, commitSha)["signed-release"]).toBe("advisory:fail");
    expect(w.issues.list("acme", "payments")).toEqual([]);
  });

  it("a new tag arrives as create and push: evaluated once (the second reads the tag, finds the same commit, stops)", async () => {
    const { world: w, repo } = tagged("v1.4.0");
    const probot = createTestApp(w);
    expectTag(w).expect("POST", "/graphql");

    await probot.receive(tagCreateEvent(w, repo, "v1.4.0") as never);
    await probot.receive(tagPushEvent(w, repo, "v1.4.0") as never);

    expect(repo.checkRuns).toHaveLength(2); // the merged PR's run, and the tag commit's
  });

  it("a tag whose report could not be written is evaluated again by its other event (create fails, push reports)", async () => {
    const { world: w, repo, commitSha } = tagged("v1.4.0");
    const probot = createTestApp(w);
    const api = mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/repos/acme/payments/git/tags/*");
    // The create fails; the app looks for a run the create may have made after all, finds none, creates again: fails.
    nock(GITHUB_API).post("/repos/acme/payments/check-runs").times(2).reply(502, { message: "Server Error" });
    api.expect("GET", "/repos/acme/payments/commits/*/check-runs");

    await expect(probot.receive(tagCreateEvent(w, repo, "v1.4.0") as never)).rejects.toThrow();
    expect(runOn(repo, commitSha)).toEqual([]);

    api.expect("POST", "/graphql").expect("GET", "/repos/acme/payments/git/tags/*").expect("POST", "/repos/acme/payments/check-runs");
    await probot.receive(tagPushEvent(w, repo, "v1.4.0") as never);
    expect(runOn(repo, commitSha)).toMatchObject([{ conclusion: "success" }]);
    expect(rowsOn(repo, commitSha)["release-tag"]).toBe("required:pass");
  });

  it("a tag deleted and created again on another commit moments later is evaluated again", async () => {
    const { world: w, repo, commitSha } = tagged("v2.0.0");
    const probot = createTestApp(w);
    expectTag(w)
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");
    await probot.receive(tagCreateEvent(w, repo, "v2.0.0") as never);

    const elsewhere = w.commit(repo, "feature/x", "unreviewed");
    repo.git.tags.set("v2.0.0", { commitSha: elsewhere });
    await probot.receive(tagCreateEvent(w, repo, "v2.0.0") as never);

    expect(rowsOn(repo, commitSha)["release-tag"]).toBe("required:pass");
    expect(rowsOn(repo, elsewhere)["release-tag"]).toBe("required:fail");
  });

  it("a release without notes is an advisory finding", async () => {
    const { world: w, repo, commitSha } = tagged("v1.4.0");
    repo.releases.push({ tagName: "v1.4.0", name: "1.4.0", body: "  ", draft: false, prerelease: false });
    const probot = createTestApp(w);
    expectTag(w);

    await probot.receive(releaseEvent(w, repo, "v1.4.0") as never);

    expect(runOn(repo, commitSha)[0]!.conclusion).toBe("success");
    expect(rowsOn(repo, commitSha)).toEqual({
      "release-tag": "required:pass",
      "signed-release": "advisory:pass",
      "release-notes": "advisory:fail",
    });
  });

  it("a tag cannot hide a direct push of the same commit: the run keeps the push's failure (and nothing vouches for the tag)", async () => {
    const { world: w, repo } = world();
    const direct = w.commit(repo, "main", "hotfix");
    repo.git.tags.set("v1.4.1", { commitSha: direct, annotated: { sha: sha("tag-v1.4.1"), verified: true, reason: "valid" } });
    const probot = createTestApp(w, { cacheTtlMs: 60_000 });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues")
      .expect("GET", "/repos/acme/payments/git/tags/*")
      .expect("PATCH", "/repos/acme/payments/check-runs/*")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues"); // release-tag: a directly pushed commit is vouched for by no PR

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);
    await probot.receive(tagCreateEvent(w, repo, "v1.4.1") as never);

    const [run] = runOn(repo, direct);
    expect(run!.conclusion).toBe("failure");
    expect(rowsOn(repo, direct)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:fail",
      "force-push": "required:pass",
      "release-tag": "required:fail",
      "signed-release": "advisory:pass",
    });
  });
});

describe("deployment gate: a custom deployment protection rule", () => {
  /** Config, one GraphQL query, and the answer to the run that waits (42420001 unless the event names another). */
  const expectDeployment = (w: GitHubWorld) =>
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/actions/runs/42420001/deployment_protection_rule");

  /** `main` after PR #12 was squash-merged, tagged v1.4.0. */
  function releasedMain() {
    const setup = world();
    setup.world.mergePullRequest(setup.repo, setup.pr, "squash");
    const head = setup.repo.git.branches.get("main")!;
    setup.repo.git.tags.set("v1.4.0", { commitSha: head });
    return { ...setup, head };
  }

  it("deployment of v1.4.0 whose commit passed sdlc-guard is approved", async () => {
    const { world: w, repo, head } = releasedMain();
    repo.checkRuns.push({
      id: 2,
      appId: w.appId,
      name: "sdlc-guard",
      headSha: head,
      status: "completed",
      conclusion: "success",
      output: { title: "All required controls pass", summary: "" },
      externalId: "push:main",
    });
    const probot = createTestApp(w);
    expectDeployment(w);

    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: "v1.4.0", sha: head }) as never);

    expect(w.deploymentReviews).toEqual([
      expect.objectContaining({
        runId: 42420001,
        environment: "production",
        state: "approved",
        comment: expect.stringContaining("carries a successful sdlc-guard result"),
      }),
    ]);
  });

  it("a tag whose commit came from a compliant PR (no run of its own yet) is approved", async () => {
    const { world: w, repo, head } = releasedMain();
    const probot = createTestApp(w);
    expectDeployment(w);

    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: "v1.4.0", sha: head }) as never);

    expect(w.deploymentReviews[0]).toMatchObject({ state: "approved", comment: expect.stringContaining("compliant PR #12") });
  });

  it("deployment of a branch is rejected with the reason", async () => {
    const { world: w, repo } = world();
    const head = repo.git.branches.get("main")!;
    const probot = createTestApp(w);
    expectDeployment(w);

    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: "main", sha: head }) as never);

    expect(w.deploymentReviews[0]).toMatchObject({
      state: "rejected",
      comment: "sdlc-guard rejected: Deployments only from approved, tagged releases: `main` is not a semantic-version tag.",
    });
  });

  it("when GitHub cannot be read the deployment is rejected (fail closed), saying why", async () => {
    const { world: w, repo } = world();
    const head = repo.git.branches.get("main")!;
    repo.git.tags.set("v1.4.0", { commitSha: head });
    w.failNext("POST", "/graphql", 502);
    const probot = createTestApp(w);
    expectDeployment(w);

    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: "v1.4.0", sha: head }) as never);

    expect(w.deploymentReviews[0]).toMatchObject({ state: "rejected", comment: expect.stringContaining("HTTP 502") });
  });

  it("a callback URL for another repository is never answered", async () => {
    const { world: w, repo } = world();
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    mockGitHub(w);

    await probot.receive(
      deploymentProtectionRuleEvent(w, repo, {
        ref: "v1.4.0",
        sha: sha("x"),
        callbackUrl: "https://api.github.com/repos/evil/elsewhere/actions/runs/1/deployment_protection_rule",
      }) as never,
    );

    expect(w.requests).toEqual([]);
    expect(text()).toContain("without a usable callback URL");
  });
});

describe("what is not judged, and a broken policy", () => {
  const BROKEN = "controls:\n  direct-push:\n    enforcement: sometimes\n";

  it("with merged-unverified, direct-push and force-push off, a push costs only the (cached) config read", async () => {
    const { world: w, repo } = world();
    repo.files.set(
      ".github/sdlc-guard.yml",
      "controls:\n  merged-unverified: { enforcement: 'off' }\n  direct-push: { enforcement: 'off' }\n  force-push: { enforcement: 'off' }\n",
    );
    const probot = createTestApp(w);
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments");

    await probot.receive(pushEvent(w, repo, { shas: [w.commit(repo, "main", "direct")] }) as never);

    expect(repo.checkRuns).toHaveLength(1); // the merged PR's, from the setup
  });

  it("with the tag controls off, a tag costs only the config read", async () => {
    const { world: w, repo } = world();
    repo.files.set(
      ".github/sdlc-guard.yml",
      "controls:\n  release-tag: { enforcement: 'off' }\n  signed-release: { enforcement: 'off' }\n  release-notes: { enforcement: 'off' }\n",
    );
    repo.git.tags.set("1.2", { commitSha: repo.git.branches.get("main")! });
    const probot = createTestApp(w);
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments");

    await probot.receive(tagCreateEvent(w, repo, "1.2") as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("with signed-release off, an annotated tag's signature is not read", async () => {
    const { world: w, repo, pr } = world();
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  signed-release: { enforcement: 'off' }\n");
    const head = w.mergePullRequest(repo, pr, "squash").after;
    repo.git.tags.set("v1.0.0", { commitSha: head, annotated: { sha: sha("tag-v1.0.0"), verified: false, reason: "unsigned" } });
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(tagCreateEvent(w, repo, "v1.0.0") as never);

    expect(rowsOn(repo, head)).toEqual({ "release-tag": "required:pass", "signed-release": "off:pass" });
  });

  it("a broken config fails the pushed head's run with the key at fault, and the push is still judged (under the defaults: no org file)", async () => {
    const { world: w, repo } = world();
    repo.files.set(".github/sdlc-guard.yml", BROKEN);
    const direct = w.commit(repo, "main", "direct");
    const probot = createTestApp(w);
    // The org's file is read only because the repository's is broken: it is the policy the push is judged under.
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(w, repo, { shas: [direct] }) as never);

    expect(runOn(repo, direct)[0]).toMatchObject({
      conclusion: "failure",
      output: { title: expect.stringMatching(/^Configuration error in acme\/payments:\.github\/sdlc-guard\.yml/) },
    });
    expect(runOn(repo, direct)[0]!.output.summary).toContain("`controls.direct-push.enforcement`");
    expect(rowsOn(repo, direct)).toMatchObject({ "direct-push": "required:fail" });
    expect(w.issues.list("acme", "payments")).toHaveLength(1);
  });

  it("a broken config fails the tag's commit too, and the tag is still judged", async () => {
    const { world: w, repo } = world();
    repo.files.set(".github/sdlc-guard.yml", BROKEN);
    const head = repo.git.branches.get("main")!;
    repo.git.tags.set("v1.0.0", { commitSha: head });
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments") // the org's file: the policy the tag is judged under
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(tagCreateEvent(w, repo, "v1.0.0") as never);

    expect(runOn(repo, head)[0]!.conclusion).toBe("failure");
    // Judged under the defaults (no org file): main's head came from no merged PR, so nothing vouches for the tag.
    expect(rowsOn(repo, head)).toEqual({ "release-tag": "required:fail", "signed-release": "advisory:fail" });
    expect(w.issues.list("acme", "payments")).toHaveLength(1);
  });

  it("a broken config rejects a deployment, saying so", async () => {
    const { world: w, repo } = world();
    repo.files.set(".github/sdlc-guard.yml", BROKEN);
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expect("GET", `/repos/acme/payments/contents/${CONFIG}`)
      .expect("POST", "/repos/acme/payments/actions/runs/*/deployment_protection_rule");

    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: "v1.0.0", sha: sha("x") }) as never);

    expect(w.deploymentReviews[0]).toMatchObject({
      state: "rejected",
      comment: expect.stringContaining("Could not load the sdlc-guard policy"),
    });
  });

  it("a tag deleted before it is evaluated, and a release that is not published, leave nothing to report", async () => {
    const { world: w, repo } = world();
    const probot = createTestApp(w);
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql", 2);

    await probot.receive(tagCreateEvent(w, repo, "v9.9.9") as never);
    await probot.receive(releaseEvent(w, repo, "v9.9.9", "edited") as never);
    await probot.receive(tagPushEvent(w, repo, "v9.9.9", { deleted: true }) as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it.each([
    ["not a URL", "::"],
    ["another path", "https://api.github.com/repos/acme/payments/actions/runs/1/approve"],
  ])("a callback URL that is %s is not answered", (_name, url) => {
    expect(runIdOfCallback(url, "acme", "payments")).toBeUndefined();
  });
});

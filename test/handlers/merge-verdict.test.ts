import { GitHubWorld, sha, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deploymentProtectionRuleEvent, pullRequestEvent, pushEvent, tagCreateEvent } from "../../sim/webhook-payloads.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { mockGitHub } from "../support/github-mock.js";
import { captureLog, createTestApp } from "../support/test-app.js";

const FAILING_TITLE = "2 required control(s) failing: reviews, jira";
const MERGED_UNVERIFIED_ISSUE = "sdlc-guard: pull requests merged without a passing sdlc-guard result";

/**
 * acme/payments, `main` protected and requiring the `sdlc-guard` check: PR #12 compliant (our run passed on its head),
 * PR #1 with no approval and no Jira key (our run failed on its head).
 */
function world() {
  const w = new GitHubWorld();
  const repo = compliantRepo(w);
  const good = compliantPullRequest(w, repo, 12);
  ourRun(w, repo, good.headSha, "success", "All required controls pass");
  const bad = w.addPullRequest(repo, {
    number: 1,
    title: "quick fix",
    headSha: sha("dan-quick-fix"),
    author: { login: "dev-dan" },
    reviews: [],
  });
  ourRun(w, repo, bad.headSha, "failure", FAILING_TITLE);
  return { world: w, repo, good, bad };
}

function ourRun(w: GitHubWorld, repo: SimRepo, headSha: string, conclusion: string, title: string) {
  repo.checkRuns.push({
    id: repo.checkRuns.length + 1,
    appId: w.appId,
    name: "sdlc-guard",
    headSha,
    status: "completed",
    conclusion,
    output: { title, summary: "" },
    externalId: null,
  });
}

const runOn = (repo: SimRepo, commitSha: string) => repo.checkRuns.filter((r) => r.headSha === commitSha && r.name === "sdlc-guard");
const rowsOn = (repo: SimRepo, commitSha: string) =>
  Object.fromEntries(decodeResults(runOn(repo, commitSha)[0]?.output.summary).map((r) => [r.id, `${r.enforcement}:${r.outcome}`]));
const merge = (w: GitHubWorld, repo: SimRepo, pr: SimPullRequest, how: "merge" | "squash" | "rebase" = "merge", by = "admin-ann") => {
  pr.mergedBy = { login: by };
  return w.mergePullRequest(repo, pr, how);
};
/** Config, the one GraphQL query of the merged PR, then (for a finding) the issue lookup and its creation or comment. */
const expectMerge = (w: GitHubWorld, finding?: "create" | "comment") => {
  const api = mockGitHub(w).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");
  if (finding) api.expect("GET", "/repos/acme/payments/issues");
  if (finding === "create") api.expect("POST", "/repos/acme/payments/issues");
  if (finding === "comment")
    api.expect("GET", "/repos/acme/payments/issues/*/comments").expect("POST", "/repos/acme/payments/issues/*/comments");
  return api;
};

describe("merge-time verification: merged-unverified", () => {
  it("a PR merged past its failing sdlc-guard run is recorded: who merged it, what failed, and that the required check was bypassed", async () => {
    const { world: w, repo, bad } = world();
    const { after } = merge(w, repo, bad);
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    expectMerge(w, "create");

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);

    const [issue] = w.issues.list("acme", "payments");
    expect(issue).toMatchObject({ title: MERGED_UNVERIFIED_ISSUE, labels: ["sdlc-guard"], state: "open" });
    expect(issue!.body).toContain("| Merged by | @admin-ann |");
    expect(issue!.body).toContain(`sdlc-guard concluded \`failure\` on its head \`${bad.headSha.slice(0, 7)}\`: ${FAILING_TITLE}`);
    expect(issue!.body).toContain("`main` requires the `sdlc-guard` check, so the merge bypassed it (an administrator or a bypass actor)");
    expect(issue!.body).toContain("| Required check bypassed | yes");
    expect(issue!.body).toContain(`https://github.com/acme/payments/commit/${after}`);
    expect(text()).toContain('"action":"pull_request.merged"');
    expect(text()).toContain('"merged_by":"admin-ann"');
    expect(text()).toContain('"bypassed_required_check":true');
  });

  it("on a branch that does not require the sdlc-guard check, the merge is still recorded, saying GitHub let it merge", async () => {
    const { world: w, repo, bad } = world();
    repo.classicRules.get("main")!.requiredChecks = [];
    merge(w, repo, bad, "squash");
    const probot = createTestApp(w);
    expectMerge(w, "create");

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);

    const [issue] = w.issues.list("acme", "payments");
    expect(issue!.body).toContain("`main` does not require the `sdlc-guard` check, so GitHub let it merge");
    expect(issue!.body).toContain("| Required check bypassed | no");
  });

  it("one comment per merge: a redelivered merge adds nothing, a second unverified merge adds one comment", async () => {
    const { world: w, repo, bad } = world();
    const other = w.addPullRequest(repo, { number: 2, title: "another quick fix", headSha: sha("bo-other-fix"), reviews: [] });
    merge(w, repo, bad);
    merge(w, repo, other, "merge", "admin-bo");
    const probot = createTestApp(w, { cacheTtlMs: 60_000 });
    // The redelivery finds its occurrence in the issue's body; the second merge looks through the comments, then adds one.
    expectMerge(w, "create")
      .expect("POST", "/graphql", 2)
      .expect("GET", "/repos/acme/payments/issues", 2)
      .expect("GET", "/repos/acme/payments/issues/*/comments")
      .expect("POST", "/repos/acme/payments/issues/*/comments");

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);
    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);
    await probot.receive(pullRequestEvent(w, repo, other, "closed") as never);

    const issues = w.issues.list("acme", "payments");
    expect(issues).toHaveLength(1);
    const comments = w.issues.comments("acme", "payments", issues[0]!.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("@admin-bo");
    expect(comments[0]!.body).toContain("sdlc-guard has no result on its head");
  });

  it("a compliant PR's merge is verified: one query, nothing written, the audit log says so", async () => {
    const { world: w, repo, good } = world();
    merge(w, repo, good, "merge", "maintainer-mia");
    const { log, text } = captureLog();
    const probot = createTestApp(w, { log });
    expectMerge(w);

    await probot.receive(pullRequestEvent(w, repo, good, "closed") as never);

    expect(w.issues.list("acme", "payments")).toEqual([]);
    expect(text()).toContain('"control":"required:pass"');
    expect(text()).toContain("verified the merge of #12");
  });

  it("a PR whose every failing required control was waived merged with a passing run: verified", async () => {
    const { world: w, repo, bad } = world();
    // A run whose failing required controls are all waived concludes success (the waivers are its rows).
    runOn(repo, bad.headSha)[0]!.conclusion = "success";
    merge(w, repo, bad);
    const probot = createTestApp(w);
    expectMerge(w);

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);

    expect(w.issues.list("acme", "payments")).toEqual([]);
  });

  it("a commit after the evaluated head: the run on the older head is not the verdict the PR merged with", async () => {
    const { world: w, repo, good } = world();
    const lateHead = sha("late-change-12");
    good.commits.push({ sha: lateHead, message: "one more change after the approvals" });
    good.headSha = lateHead;
    merge(w, repo, good);
    const probot = createTestApp(w);
    expectMerge(w, "create");

    await probot.receive(pullRequestEvent(w, repo, good, "closed") as never);

    expect(w.issues.list("acme", "payments")[0]!.body).toContain(`sdlc-guard has no result on its head \`${lateHead.slice(0, 7)}\``);
  });

  it("when GitHub cannot be read, the merge is recorded as not verified (fails closed), with the reason", async () => {
    const { world: w, repo, good } = world();
    merge(w, repo, good);
    w.failNext("POST", "/graphql", 502);
    const probot = createTestApp(w);
    expectMerge(w, "create");

    await probot.receive(pullRequestEvent(w, repo, good, "closed") as never);

    const [issue] = w.issues.list("acme", "payments");
    expect(issue!.body).toContain("could not be verified (fails closed)");
    expect(issue!.body).toContain("HTTP 502");
  });

  it("a PR closed without merging is not looked at", async () => {
    const { world: w, repo, bad } = world();
    bad.state = "CLOSED";
    const probot = createTestApp(w);
    mockGitHub(w);

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);

    expect(w.requests).toEqual([]);
  });

  it("with merged-unverified off, a merge costs only the config read", async () => {
    const { world: w, repo, bad } = world();
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  merged-unverified: { enforcement: 'off' }\n");
    merge(w, repo, bad);
    const probot = createTestApp(w);
    mockGitHub(w).expectToken().expectConfigFiles("acme", "payments");

    await probot.receive(pullRequestEvent(w, repo, bad, "closed") as never);

    expect(w.issues.list("acme", "payments")).toEqual([]);
  });
});

describe("commits inherit their PR's verdict: the push of a merge", () => {
  it.each(["merge", "squash"] as const)(
    "the %s commit of a PR that failed fails its push run, naming the PR, who merged it and what failed",
    async (how) => {
      const { world: w, repo, bad } = world();
      bad.mergedBy = { login: "admin-ann" };
      const probot = createTestApp(w);
      // Config, one GraphQL query (protection, the pushed commits' PRs with their verdicts, our run), the run on the new head.
      // The merge's issue occurrence is the merge-time evaluation's to write, with the bypass: no issue here.
      mockGitHub(w)
        .expectToken()
        .expectConfigFiles("acme", "payments")
        .expect("POST", "/graphql")
        .expect("POST", "/repos/acme/payments/check-runs");

      const push = pushEvent(w, repo, { merged: bad });
      if (how === "squash") {
        // Re-merge as a squash: the PR's head is not on main, only the squash commit is.
        repo.git.branches.set("main", push.payload.before as string);
        const squashed = w.mergePullRequest(repo, bad, "squash");
        Object.assign(push.payload, {
          after: squashed.after,
          commits: [{ ...push.payload.commits[0], id: squashed.after, tree_id: squashed.after }],
        });
        push.payload.head_commit = push.payload.commits[0];
      }
      await probot.receive(push as never);

      const head = repo.git.branches.get("main")!;
      const [run] = runOn(repo, head);
      expect(run!.conclusion).toBe("failure");
      expect(rowsOn(repo, head)).toEqual({
        "merged-unverified": "required:fail",
        "direct-push": "required:pass",
        "force-push": "required:pass",
      });
      expect(run!.output.summary).toContain(
        `PR #1 (merged by @admin-ann: sdlc-guard concluded \`failure\` on its head \`${bad.headSha.slice(0, 7)}\`: ${FAILING_TITLE})`,
      );
      expect(w.issues.list("acme", "payments")).toEqual([]);
    },
  );
});

describe("commits inherit their PR's verdict: tags and the deployment gate", () => {
  /** The deployment of `tag` on `commit`: config, one GraphQL query, the answer to the waiting run. */
  async function deploy(w: GitHubWorld, repo: SimRepo, tag: string, commit: string) {
    repo.git.tags.set(tag, { commitSha: commit });
    const probot = createTestApp(w);
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/actions/runs/42420001/deployment_protection_rule");
    await probot.receive(deploymentProtectionRuleEvent(w, repo, { ref: tag, sha: commit }) as never);
    return w.deploymentReviews.at(-1)!;
  }

  it("PR #1 failed, was merged anyway and tagged v1.0.0: the push run and the tag run fail, and the deployment is rejected naming PR #1", async () => {
    const { world: w, repo, bad } = world();
    bad.mergedBy = { login: "admin-ann" };
    const probot = createTestApp(w, { cacheTtlMs: 60_000 });
    mockGitHub(w)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 2) // the push, then the tag
      .expect("POST", "/repos/acme/payments/check-runs") // the push's run on the merge commit
      .expect("PATCH", "/repos/acme/payments/check-runs/*") // the tag's rows join it
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues"); // release-tag's issue

    await probot.receive(pushEvent(w, repo, { merged: bad }) as never);
    const mergeCommit = repo.git.branches.get("main")!;
    repo.git.tags.set("v1.0.0", { commitSha: mergeCommit });
    await probot.receive(tagCreateEvent(w, repo, "v1.0.0") as never);

    expect(runOn(repo, mergeCommit)[0]!.conclusion).toBe("failure");
    expect(rowsOn(repo, mergeCommit)).toMatchObject({ "merged-unverified": "required:fail", "release-tag": "required:fail" });
    expect(runOn(repo, mergeCommit)[0]!.output.summary).toContain("Tag `v1.0.0` is not vouched for");
    expect(w.issues.list("acme", "payments")[0]!.body).toContain("PR #1 (merged by @admin-ann");

    const review = await deploy(w, repo, "v1.0.0", mergeCommit);
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain("PR #1 (merged by @admin-ann: sdlc-guard concluded `failure`");
  });

  it("a compliant PR's merge commit, tagged, is approved", async () => {
    const { world: w, repo, good } = world();
    const { after } = merge(w, repo, good, "merge");

    const review = await deploy(w, repo, "v1.4.0", after);

    expect(review).toMatchObject({ state: "approved", comment: expect.stringContaining("compliant PR #12") });
  });

  it.each(["merge", "squash"] as const)(
    "a failed PR's %s commit, tagged, is rejected naming the PR, even with a successful run of its own",
    async (how) => {
      const { world: w, repo, bad } = world();
      const { after } = merge(w, repo, bad, how);
      // What main's push evaluation used to write on it: "arrived through a merged PR".
      ourRun(w, repo, after, "success", "All required controls pass");

      const review = await deploy(w, repo, "v1.0.0", after);

      expect(review.state).toBe("rejected");
      expect(review.comment).toContain(
        `is the merge of PR #1 (merged by @admin-ann: sdlc-guard concluded \`failure\` on its head \`${bad.headSha.slice(0, 7)}\``,
      );
    },
  );

  it("an intermediate commit of a compliant PR, tagged, is rejected: only the commit the merge produced is vouched for", async () => {
    const { world: w, repo, good } = world();
    const first = sha("first-step-12");
    good.commits.unshift({ sha: first, message: "PAY-112: first step" });
    merge(w, repo, good, "merge");
    // The tag's own evaluation passed (a semver tag on main): that judges the tag, not the code.
    ourRun(w, repo, first, "success", "All required controls pass");

    const review = await deploy(w, repo, "v1.4.1", first);

    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(
      `commit \`${first.slice(0, 7)}\` is an intermediate commit of PR #12, not the commit the merge produced`,
    );
  });

  it("a rebase merge: the last rebased commit (GitHub's merge commit of the PR) is approved, an earlier one rejected", async () => {
    const { world: w, repo, good } = world();
    good.commits.unshift({ sha: sha("first-step-12"), message: "PAY-112: first step" });
    const { commits } = merge(w, repo, good, "rebase");

    expect(await deploy(w, repo, "v1.4.0", commits[1]!)).toMatchObject({
      state: "approved",
      comment: expect.stringContaining("compliant PR #12"),
    });
    expect(await deploy(w, repo, "v1.4.1", commits[0]!)).toMatchObject({
      state: "rejected",
      comment: expect.stringContaining("intermediate commit of PR #12"),
    });
  });

  it("a direct push, tagged, is rejected even with a successful run of its own", async () => {
    const { world: w, repo } = world();
    const direct = w.commit(repo, "main", "chore: bump version");
    ourRun(w, repo, direct, "success", "All required controls pass");

    const review = await deploy(w, repo, "v1.4.2", direct);

    expect(review).toMatchObject({
      state: "rejected",
      comment: expect.stringContaining("did not come from a pull request merged into `main` (a direct push)"),
    });
  });
});

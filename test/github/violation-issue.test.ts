import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import { occurrenceMarker, reportViolation, violationMarker, type ViolationIssueSpec } from "../../src/github/writes/violation-issue.js";
import { VIOLATION_LABEL } from "../../src/common/product.js";
import { mockGitHub } from "../support/github-mock.js";

const REPO = { owner: "acme", repo: "payments" };
const ISSUES = "/repos/acme/payments/issues";
const COMMENTS = "/repos/acme/payments/issues/*/comments";

const DIRECT_PUSH: ViolationIssueSpec = {
  control: "direct-push",
  title: "sdlc-guard: direct pushes to protected branches",
  intro: "Commits were pushed to `main` without a pull request. Protect the branch and revert or review the commits.",
};
const FORCE_PUSH: ViolationIssueSpec = {
  control: "force-push",
  title: "sdlc-guard: force pushes",
  intro: "History of `main` was rewritten.",
};
const push = (sha: string) => ({ key: `push:${sha}`, markdown: `Push of \`${sha}\` to \`main\` by @octo-dev without a pull request.` });

function setup() {
  const world = new GitHubWorld();
  world.addRepo("acme", "payments");
  const octokit = new ProbotOctokit({ auth: { token: "ghs_testToken" }, retry: { enabled: false }, throttle: { enabled: false } });
  const issues = () => world.issues.list("acme", "payments");
  const requests = () => world.requests.map((r) => `${r.method} ${r.path}`);
  return { world, octokit, issues, requests, github: mockGitHub(world) };
}

describe("violation issues: one open issue per repository and control", () => {
  it("the first occurrence creates one labelled issue", async () => {
    const { octokit, issues, requests, github } = setup();
    github.expect("GET", ISSUES).expect("POST", ISSUES);

    const result = await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));

    expect(result).toEqual({ issueNumber: 1, outcome: "created" });
    expect(requests()).toEqual([`GET ${ISSUES}`, `POST ${ISSUES}`]);
    expect(issues()).toEqual([
      expect.objectContaining({ number: 1, title: DIRECT_PUSH.title, labels: [VIOLATION_LABEL], state: "open", author: APP_AUTHOR }),
    ]);
    const body = issues()[0]!.body;
    expect(body).toBe(
      `${DIRECT_PUSH.intro}\n\n<!-- sdlc-guard-violation: direct-push -->\n\n### First occurrence\n\n${push("aaa111").markdown}\n\n<!-- sdlc-guard-occurrence: push:aaa111 -->`,
    );
  });

  it("a second occurrence is appended as a comment", async () => {
    const { world, octokit, issues, requests, github } = setup();
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES).expect("GET", COMMENTS).expect("POST", COMMENTS);
    await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));
    const before = world.requests.length;

    const result = await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"));

    expect(result).toEqual({ issueNumber: 1, outcome: "appended" });
    expect(requests().slice(before)).toEqual([`GET ${ISSUES}`, `GET ${ISSUES}/1/comments`, `POST ${ISSUES}/1/comments`]);
    expect(issues()).toHaveLength(1);
    expect(world.issues.comments("acme", "payments", 1)).toEqual([
      expect.objectContaining({ body: `${push("bbb222").markdown}\n\n<!-- sdlc-guard-occurrence: push:bbb222 -->`, author: APP_AUTHOR }),
    ]);
  });

  it("two direct pushes produce one issue with two occurrences (and a force push its own issue)", async () => {
    const { world, octokit, issues, github } = setup();
    github.expect("GET", ISSUES, 3).expect("POST", ISSUES, 2).expect("GET", COMMENTS).expect("POST", COMMENTS);

    const first = await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));
    const force = await reportViolation(octokit, REPO, FORCE_PUSH, { key: "force:ccc333", markdown: "Forced update of `main`." });
    const second = await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"));

    expect([first, force, second]).toEqual([
      { issueNumber: 1, outcome: "created" },
      { issueNumber: 2, outcome: "created" },
      { issueNumber: 1, outcome: "appended" },
    ]);
    expect(issues().map((i) => i.title)).toEqual([DIRECT_PUSH.title, FORCE_PUSH.title]);
    const recorded = [issues()[0]!.body, ...world.issues.comments("acme", "payments", 1).map((c) => c.body)].join("\n");
    expect(recorded.match(/<!-- sdlc-guard-occurrence: [^ ]+ -->/g)).toEqual([
      occurrenceMarker("push:aaa111"),
      occurrenceMarker("push:bbb222"),
    ]);
    expect(world.issues.comments("acme", "payments", 2)).toEqual([]);
  });

  it("a redelivered occurrence adds nothing", async () => {
    const { world, octokit, issues, requests, github } = setup();
    github.expect("GET", ISSUES, 4).expect("POST", ISSUES).expect("GET", COMMENTS, 2).expect("POST", COMMENTS);
    await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));
    await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"));
    const before = world.requests.length;

    // The first occurrence is in the issue body: no need to read the comments.
    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).toEqual({ issueNumber: 1, outcome: "already-recorded" });
    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"))).toEqual({ issueNumber: 1, outcome: "already-recorded" });

    expect(requests().slice(before)).toEqual([`GET ${ISSUES}`, `GET ${ISSUES}`, `GET ${ISSUES}/1/comments`]);
    expect(issues()).toHaveLength(1);
    expect(world.issues.comments("acme", "payments", 1)).toHaveLength(1);
  });

  it("an issue a human wrote with the marker is not used", async () => {
    const { world, octokit, issues, github } = setup();
    world.issues.add("acme", "payments", {
      title: "gotcha",
      body: `I own this now ${violationMarker("direct-push")}`,
      labels: [VIOLATION_LABEL],
    });
    github.expect("GET", ISSUES).expect("POST", ISSUES);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).toEqual({ issueNumber: 2, outcome: "created" });
    expect(issues().map((i) => i.author.type)).toEqual(["User", "Bot"]);
  });

  it("an occurrence marker a human pasted into a comment does not suppress the occurrence", async () => {
    const { world, octokit, github } = setup();
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES).expect("GET", COMMENTS).expect("POST", COMMENTS);
    await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));
    world.issues.addComment("acme", "payments", 1, `pre-empting ${occurrenceMarker("push:bbb222")}`);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"))).toEqual({ issueNumber: 1, outcome: "appended" });
    expect(world.issues.comments("acme", "payments", 1).map((c) => c.author.type)).toEqual(["User", "Bot"]);
  });

  it("a closed issue is not reused: a new one is opened", async () => {
    const { world, octokit, issues, github } = setup();
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES, 2);
    await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"));
    world.issues.close("acme", "payments", 1);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"))).toEqual({ issueNumber: 2, outcome: "created" });
    expect(issues().map((i) => [i.number, i.state])).toEqual([
      [1, "closed"],
      [2, "open"],
    ]);
    expect(issues()[1]!.body).toContain(occurrenceMarker("push:bbb222"));
  });

  it("a create that GitHub applied but answered 502 is not duplicated", async () => {
    const { world, octokit, issues, requests, github } = setup();
    world.failNext("POST", ISSUES, 502, { afterApplying: true, exact: true });
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).toEqual({ issueNumber: 1, outcome: "created" });
    expect(requests()).toEqual([`GET ${ISSUES}`, `POST ${ISSUES}`, `GET ${ISSUES}`]);
    expect(issues()).toHaveLength(1);
  });

  it("a create that failed with 502 before GitHub applied it is made once more", async () => {
    const { world, octokit, issues, github } = setup();
    world.failNext("POST", ISSUES, 502, { exact: true });
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES, 2);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).toEqual({ issueNumber: 1, outcome: "created" });
    expect(issues()).toHaveLength(1);
  });

  it("a create that failed with 502 while another occurrence opened the issue appends to it", async () => {
    const { world, octokit, issues, github } = setup();
    // Another process's create lands between our create (which failed without applying) and our second look.
    world.failNext("POST", ISSUES, 502, { exact: true });
    const handle = world.handle.bind(world);
    world.handle = (method, url, body, headers) => {
      const answer = handle(method, url, body, headers);
      if (method === "POST" && answer.status === 502) {
        handle("POST", ISSUES, {
          title: DIRECT_PUSH.title,
          body: `${violationMarker("direct-push")}\n${occurrenceMarker("push:other")}`,
          labels: [VIOLATION_LABEL],
        });
      }
      return answer;
    };
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES).expect("GET", COMMENTS).expect("POST", COMMENTS);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).toEqual({ issueNumber: 1, outcome: "appended" });
    expect(issues()).toHaveLength(1);
  });

  it("a create refused with 4xx propagates and is not retried", async () => {
    const { world, octokit, issues, github } = setup();
    world.failNext("POST", ISSUES, 404, { exact: true, message: "Not Found" });
    github.expect("GET", ISSUES).expect("POST", ISSUES);

    await expect(reportViolation(octokit, REPO, DIRECT_PUSH, push("aaa111"))).rejects.toMatchObject({ status: 404 });
    expect(issues()).toHaveLength(0);
  });

  it("many open issues: the marker is found on a later page", async () => {
    const { world, octokit, issues, requests, github } = setup();
    for (let i = 0; i < 150; i++) {
      world.issues.add("acme", "payments", {
        title: `release ${i}`,
        body: violationMarker(`release-notes-${i}`),
        labels: [VIOLATION_LABEL],
        author: APP_AUTHOR,
      });
    }
    world.issues.add("acme", "payments", {
      title: "direct",
      body: `${violationMarker("direct-push")}\n${occurrenceMarker("push:aaa111")}`,
      labels: [VIOLATION_LABEL],
      author: APP_AUTHOR,
    });
    world.issues.add("acme", "payments", {
      title: "newer duplicate",
      body: violationMarker("direct-push"),
      labels: [VIOLATION_LABEL],
      author: APP_AUTHOR,
    });
    github.expect("GET", ISSUES, 2).expect("GET", COMMENTS).expect("POST", COMMENTS);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"))).toEqual({ issueNumber: 151, outcome: "appended" });
    expect(requests()).toEqual([`GET ${ISSUES}`, `GET ${ISSUES}`, `GET ${ISSUES}/151/comments`, `POST ${ISSUES}/151/comments`]);
    expect(world.requests[1]!.query).toContain("page=2");
    expect(issues()).toHaveLength(152);
  });

  it("an occurrence recorded in a comment on a later comment page is found", async () => {
    const { world, octokit, github } = setup();
    world.issues.add("acme", "payments", {
      title: "direct",
      body: violationMarker("direct-push"),
      labels: [VIOLATION_LABEL],
      author: APP_AUTHOR,
    });
    for (let i = 0; i < 120; i++) world.issues.addComment("acme", "payments", 1, `noise ${i}`);
    world.issues.addComment("acme", "payments", 1, `x\n\n${occurrenceMarker("push:bbb222")}`, APP_AUTHOR);
    github.expect("GET", ISSUES).expect("GET", COMMENTS, 2);

    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, push("bbb222"))).toEqual({ issueNumber: 1, outcome: "already-recorded" });
  });

  it("keys are embedded safely: they cannot close the hidden comment", async () => {
    const { world, octokit, github } = setup();
    github.expect("GET", ISSUES, 2).expect("POST", ISSUES);
    const key = "tag:v1 --> <b>x</b>";
    expect(occurrenceMarker(key)).toBe("<!-- sdlc-guard-occurrence: tag:v1_--___b_x_/b_ -->");
    expect(occurrenceMarker("release:v1.2.3@abc/def-1_x")).toBe("<!-- sdlc-guard-occurrence: release:v1.2.3@abc/def-1_x -->");

    await reportViolation(octokit, REPO, DIRECT_PUSH, { key, markdown: "tag" });
    expect(await reportViolation(octokit, REPO, DIRECT_PUSH, { key, markdown: "tag" })).toEqual({
      issueNumber: 1,
      outcome: "already-recorded",
    });
    expect(world.issues.list("acme", "payments")[0]!.body.match(/-->/g)).toHaveLength(2);
  });
});

import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createSdlcGuardApp } from "../../src/app.js";
import { isGraphqlQuery } from "../../src/github/transport/installation-octokit.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { testPrivateKey } from "../support/test-app.js";

// Probot's Octokit throttling (as shipped: on) paces writes and GraphQL requests one per second, in a Bottleneck group
// keyed by the Octokit's throttling id. The Octokit Probot builds for a webhook has no id ("no-id"), so every
// installation would share one queue. sdlc-guard keys writes by installation and its GraphQL queries by
// "<installation>:queries" (src/github/transport/installation-octokit.ts), so an evaluation's write does not wait a second behind
// its own query. Observed through the keys the group is asked for: no timing is measured.

type GroupWithId = { id: string; key(name?: string): unknown };
// The module @octokit/plugin-throttling imports (its light build; untyped, hence the string specifier).
const LIGHT_BUILD: string = "bottleneck/light.js";
const { default: Bottleneck } = (await import(LIGHT_BUILD)) as { default: { Group: { prototype: GroupWithId } } };
const groupPrototype = Bottleneck.Group.prototype;
const originalKey = groupPrototype.key;
const writeKeys: string[] = [];

beforeAll(() => {
  groupPrototype.key = function (this: GroupWithId, name?: string) {
    if (this.id === "octokit-write") writeKeys.push(String(name));
    return originalKey.call(this, name);
  };
});
afterAll(() => {
  groupPrototype.key = originalKey;
});

it("each installation's writes, and its GraphQL queries, are paced in queues of their own, not one shared by all", async () => {
  const world = new GitHubWorld();
  const payments = compliantRepo(world, "acme", "payments");
  const ledger = compliantRepo(world, "globex", "ledger");
  const paymentsPr = compliantPullRequest(world, payments, 1);
  const ledgerPr = compliantPullRequest(world, ledger, 2);
  const probot = new Probot({
    appId: world.appId,
    privateKey: testPrivateKey(),
    secret: "s",
    log: pino({ level: "silent" }) as Logger,
    // Throttling as shipped (the other tests turn it off); retries off, as elsewhere.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false } })),
  });
  probot.load(createSdlcGuardApp({ appId: world.appId, jira: undefined, maxReevaluations: 100 }));
  mockGitHub(world).expectToken(77).expectToken(78).expectEvaluation("acme", "payments").expectEvaluation("globex", "ledger");
  const ledgerEvent = pullRequestEvent(world, ledger, ledgerPr, "opened");
  (ledgerEvent.payload as { installation: { id: number } }).installation.id = 78; // another org, another installation

  writeKeys.length = 0;
  await Promise.all([
    probot.receive(pullRequestEvent(world, payments, paymentsPr, "opened") as never),
    probot.receive(ledgerEvent as never),
  ]);

  expect(payments.checkRuns).toMatchObject([{ headSha: paymentsPr.headSha, conclusion: "success" }]);
  expect(ledger.checkRuns).toMatchObject([{ headSha: ledgerPr.headSha, conclusion: "success" }]);
  // One GraphQL query and one check-run write per evaluation, each in a queue of its installation.
  expect([...writeKeys].sort()).toEqual(["77", "77:queries", "78", "78:queries"]);
  expect(world.violations).toEqual([]);
});

it("an installation's queries' Octokit is made on its first query and kept for the next events", async () => {
  const world = new GitHubWorld();
  const repo = compliantRepo(world, "acme", "payments");
  const prs = [compliantPullRequest(world, repo, 1), compliantPullRequest(world, repo, 2), compliantPullRequest(world, repo, 3)];
  const made: string[] = []; // the throttling id of each Octokit made, as a plugin sees it
  const probot = new Probot({
    appId: world.appId,
    privateKey: testPrivateKey(),
    secret: "s",
    log: pino({ level: "silent" }) as Logger,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false } })).plugin(
      (_octokit: unknown, options: Record<string, unknown>) =>
        void made.push((options as { throttle?: { id?: string } }).throttle?.id ?? "no-id"),
    ),
  });
  probot.load(createSdlcGuardApp({ appId: world.appId, jira: undefined, maxReevaluations: 100 }));
  mockGitHub(world)
    .expectToken(77)
    .expectEvaluation("acme", "payments")
    .expectEvaluation("acme", "payments", { cached: true })
    .expectEvaluation("acme", "payments", { cached: true });

  for (const pr of prs) await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);

  expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success", "success", "success"]);
  // Per event: Probot's own Octokit for the webhook (no id) and the installation's (77); the queries' one, once.
  expect(made.filter((id) => id === "77:queries")).toHaveLength(1);
  expect(made.filter((id) => id === "77")).toHaveLength(3);
});

it.each([
  ["a query", true, { method: "POST", url: "/graphql", query: "query Q { viewer { login } }" }],
  ["an anonymous query", true, { method: "POST", url: "/graphql", query: "{ viewer { login } }" }],
  [
    "a query on GitHub Enterprise Server",
    true,
    { method: "POST", url: "https://ghe.example.com/api/graphql", query: "query { viewer { login } }" },
  ],
  ["a mutation", false, { method: "POST", url: "/graphql", query: "mutation M { addComment(input: {}) { clientMutationId } }" }],
  ["a mutation after a comment", false, { method: "POST", url: "/graphql", query: "# why\n  mutation { x }" }],
  ["a REST write", false, { method: "POST", url: "/repos/{owner}/{repo}/check-runs" }],
  ["a REST read", false, { method: "GET", url: "/repos/{owner}/{repo}" }],
])("%s: paced in the queries' queue = %p", (_name, expected, options) => {
  expect(isGraphqlQuery(options)).toBe(expected);
});

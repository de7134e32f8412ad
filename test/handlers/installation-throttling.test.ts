import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createSdlcGuardApp } from "../../src/app.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { testPrivateKey } from "../support/test-app.js";

// Probot's Octokit throttling (as shipped: on) paces an installation's writes and GraphQL queries one per second, in a
// Bottleneck group keyed by the Octokit's throttling id. The Octokit Probot builds for a webhook has no id ("no-id"),
// so every installation would share one queue; sdlc-guard uses `app.auth(installation)` instead, keyed by the
// installation. Observed here through the keys the write group is asked for: no timing is measured.

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

it("each installation's writes and GraphQL queries are paced in its own throttling queue, not one shared by all", async () => {
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
  await Promise.all([probot.receive(pullRequestEvent(world, payments, paymentsPr, "opened") as never), probot.receive(ledgerEvent as never)]);

  expect(payments.checkRuns).toMatchObject([{ headSha: paymentsPr.headSha, conclusion: "success" }]);
  expect(ledger.checkRuns).toMatchObject([{ headSha: ledgerPr.headSha, conclusion: "success" }]);
  // One GraphQL query and one check-run write per evaluation, each in its installation's queue.
  expect([...writeKeys].sort()).toEqual(["77", "77", "78", "78"]);
  expect(world.violations).toEqual([]);
});

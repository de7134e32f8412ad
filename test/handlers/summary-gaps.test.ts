import type { Probot } from "probot";
import { GitHubWorld, sha } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import {
  installationCreatedEvent,
  installationRepositoriesAddedEvent,
  pullRequestEvent,
  type WebhookEvent,
} from "../../sim/webhook-payloads.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { SUMMARY_CONTROL_IDS } from "../../src/facts/org-summary.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

// The org summary counts what the app recorded at merge time, and shows which repositories lowered the org policy:
// both read with the requests the summary already makes (the violation-issue search, the repository batches).

/** The org policy: reviews and jira required by the floor, three approvals by default. */
const ORG_FILE = `floor:
  controls:
    jira: { enforcement: required }
controls:
  reviews: { min_approvals: 3 }
`;
const HOUR = 3_600_000;
/** GitHub reads of one summary of this organisation (config, rate limit, REST lists, two GraphQL queries), gaps or not. */
const READS = 12;

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `gaps-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

/**
 * Six repositories built compliant, the org policy above in `.github`, and one PR merged in `merged` past its failing
 * sdlc-guard run. A first summary; then the app records that merge (its merge-time evaluation), `lowered` switches
 * reviews off in its own file, `held` tries to switch jira off (below the floor); then a second summary.
 */
async function organisation() {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 6, failures: [] });
  org.dotGithub.repo.files.set(".github/sdlc-guard.yml", ORG_FILE);
  const [merged, lowered, held] = org.repositories.filter((r) => r.name !== ".github");
  // The app's own writes are stamped by the simulator's clock, which starts at the scenario's `now`: look a bit later.
  const now = () => new Date(Date.parse(org.now) + HOUR);
  const app = createTestApp(world, { now });
  routeToWorld(world, ["GET", "POST", "PATCH"]);

  const pr = world.addPullRequest(merged!.repo, { number: 40, title: "hotfix", headSha: sha("hotfix"), reviews: [] });
  merged!.repo.checkRuns.push({
    id: 990_001,
    appId: world.appId,
    name: "sdlc-guard",
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    output: { title: "1 required control(s) failing: reviews", summary: "" },
    externalId: null,
  });
  pr.mergedBy = { login: "admin-ann" };
  world.mergePullRequest(merged!.repo, pr, "squash");

  const summarize = async (event: WebhookEvent) => {
    world.requests.length = 0;
    await send(app, event);
    const issue = world.issues.list("acme", ".github").find((i) => i.title === SUMMARY_TITLE && i.state === "open");
    if (!issue) throw new Error("no summary issue");
    // What the collection reads (publishing differs: the first run opens the issue, the second reads and edits it).
    const reads = world.requests
      .filter((r) => (r.method === "GET" || r.path === "/graphql") && !r.path.startsWith("/repos/acme/.github/issues"))
      .map((r) => `${r.method} ${r.path}`);
    return { body: issue.body, reads };
  };
  const before = await summarize(installationCreatedEvent(world, "acme"));
  await send(app, pullRequestEvent(world, merged!.repo, pr, "closed"));
  lowered!.repo.files.set(".github/sdlc-guard.yml", "controls:\n  reviews: { enforcement: off }\n");
  held!.repo.files.set(".github/sdlc-guard.yml", "controls:\n  jira: { enforcement: off }\n");
  const after = await summarize(installationRepositoriesAddedEvent(world, "acme", ["payments"]));
  return { world, before, after, merged: merged!.name, lowered: lowered!.name, held: held!.name };
}

describe("the org summary shows merge-time findings and lowered policies", () => {
  it("a merge recorded without a passing sdlc-guard result is a gap with the count and its issue; a lowered or held policy is a gap with the reason", async () => {
    const { world, before, after, merged, lowered, held } = await organisation();
    const recorded = world.issues.list("acme", merged).find((i) => i.title.includes("merged without a passing"));
    expect(recorded).toBeDefined();

    expect(after.body).toContain(`| ${SUMMARY_CONTROL_IDS.join(" | ")} |`);
    expect(after.body).toContain(
      `- ❌ \`merged-unverified\`: 1 merge without a passing sdlc-guard result recorded in the period (acme/${merged}#${recorded!.number})`,
    );
    expect(after.body).toMatch(new RegExp(`<b>${lowered}</b>[^]*?- ❌ \`policy\`: reviews turned off by the repository's file\n`)); // eslint-disable-line no-restricted-syntax -- test literal
    expect(after.body).toMatch(
      new RegExp(`<b>${held}</b>[^]*?- ❌ \`policy\`: held at the floor: controls\\.jira\\.enforcement off → required\n`), // eslint-disable-line no-restricted-syntax -- test literal
    );
    // Before: the same failing merge, not recorded yet; no repository file of its own.
    expect(before.body).not.toContain("❌ `merged-unverified`");
    expect(before.body).not.toContain("❌ `policy`");
  });

  it("costs no request: the collection reads exactly what it read before the gaps existed", async () => {
    const { before, after } = await organisation();
    expect(after.reads).toEqual(before.reads);
    expect(after.reads.length).toBe(READS);
    // Two GraphQL queries: one batch reads every repository (its own config file included), one search reads every
    // violation issue of the organisation, pushes and merges alike.
    expect(after.reads.filter((r) => r === "POST /graphql")).toHaveLength(2);
  });
});

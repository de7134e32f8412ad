import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import type { Probot } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { installationCreatedEvent, installationRepositoriesAddedEvent } from "../../sim/webhook-payloads.js";
import { createEvaluationMemory } from "../../src/evaluation/evaluate-pull-request.js";
import type { SharedState } from "../../src/evaluation/shared-state.js";
import type { HandlerDeps } from "../../src/handlers/app-options.js";
import { registerSummaryEvents } from "../../src/handlers/summary-events.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { RedisSharedState } from "../../src/scale/redis-shared-state.js";
import { routeToWorld } from "../support/route-to-world.js";
import { testProbot } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";

const silent = pino({ level: "silent" }) as Logger;

describeWithRedis("the org summary with two replicas (real redis-server)", () => {
  let redis: RunningRedis;
  let prefixCount = 0;
  const states: RedisSharedState[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await redis?.stop();
  });

  /** Two replicas' summary handlers, sharing one Redis; `auths` counts the refreshes each one started on its schedule. */
  async function twoReplicas(world: GitHubWorld, now: string) {
    const prefix = `s${++prefixCount}:`;
    const make = async (name: string) => {
      const state = new RedisSharedState(new Redis(redis.url), { prefix, replicaId: name, log: silent, ownsConnection: true });
      states.push(state);
      const app = testProbot(world);
      let auths = 0;
      const auth = app.auth.bind(app);
      app.auth = ((id?: number) => (auths++, auth(id))) as Probot["auth"];
      const deps: HandlerDeps = {
        appId: world.appId,
        jira: undefined,
        maxReevaluations: 1,
        summarySchedule: true,
        now: () => new Date(now),
        memory: createEvaluationMemory(),
        sharedState: state as SharedState,
      };
      let triggers!: ReturnType<typeof registerSummaryEvents>;
      await app.load((probot: Probot) => void (triggers = registerSummaryEvents(probot, deps)));
      return { app, triggers, auths: () => auths };
    };
    return [await make("replica-a"), await make("replica-b")] as const;
  }

  const summaryIssues = (world: GitHubWorld) => world.issues.list("acme", ".github").filter((i) => i.title === SUMMARY_TITLE);

  it("a scheduled refresh runs on the one replica holding the organisation's lease", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 3 });
    routeToWorld(world, ["GET", "POST"]);
    const [a, b] = await twoReplicas(world, org.now);
    for (const r of [a, b]) r.triggers.scheduler.schedule("acme", world.installationId, "0 6 * * *", 0);

    // The cron tick fires on both replicas.
    a.triggers.scheduler.trigger("acme");
    b.triggers.scheduler.trigger("acme");
    const deadline = Date.now() + 15_000;
    while (summaryIssues(world).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200));
    expect(a.auths() + b.auths()).toBe(1);
    expect(summaryIssues(world)).toHaveLength(1);
    for (const r of [a, b]) r.triggers.scheduler.stopAll();
  });

  it("two refreshes of one organisation on two replicas at once open one summary issue", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 3 });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const [a, b] = await twoReplicas(world, org.now);
    const created = installationCreatedEvent(world, "acme");
    const added = installationRepositoriesAddedEvent(world, "acme", [org.repositories[0]!.name]);
    await Promise.all([
      a.app.receive({ id: "inst-1", name: created.name, payload: created.payload } as Parameters<Probot["receive"]>[0]),
      b.app.receive({ id: "added-1", name: added.name, payload: added.payload } as Parameters<Probot["receive"]>[0]),
    ]);
    expect(summaryIssues(world)).toHaveLength(1);
    for (const r of [a, b]) r.triggers.scheduler.stopAll();
  });
});

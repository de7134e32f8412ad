import { jest } from "@jest/globals";
import { pino, type Logger } from "pino";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { installationCreatedEvent, installationDeletedEvent } from "../../sim/webhook-payloads.js";
import { registerSummaryEvents, scheduleInstallations } from "../../src/handlers/summary-events.js";
import { jitterFor, SummaryScheduler } from "../../src/handlers/summary-schedule.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createEvaluationMemory } from "../../src/evaluation/evaluate-pull-request.js";
import type { HandlerDeps } from "../../src/handlers/app-options.js";
import { captureLog, testProbot } from "../support/test-app.js";

const silent = pino({ level: "silent" }) as Logger;

/** A Probot with the summary handlers only, and their triggers (scheduler, refresher) to look into. */
async function summaryApp(world: GitHubWorld, options: Partial<HandlerDeps> = {}) {
  const app = testProbot(world);
  let triggers: ReturnType<typeof registerSummaryEvents> | undefined;
  const deps: HandlerDeps = {
    appId: world.appId,
    jira: undefined,
    maxReevaluations: 1,
    summarySchedule: true,
    memory: createEvaluationMemory(),
    ...options,
  };
  await app.load((probot) => void (triggers = registerSummaryEvents(probot, deps)));
  return { app, triggers: triggers! };
}

describe("the org summary schedule", () => {
  afterEach(() => jest.useRealTimers());

  it("each organisation gets its own stable delay within the jitter window", () => {
    const delays = ["acme", "globex", "initech", "umbrella"].map((org) => jitterFor(org, 30));
    expect(delays.every((d) => d >= 0 && d < 30 * 60_000)).toBe(true);
    expect(new Set(delays).size).toBe(4);
    expect(jitterFor("ACME", 30)).toBe(jitterFor("acme", 30));
    expect(jitterFor("acme", 0)).toBe(0);
  });

  it("runs at the cron time plus the organisation's jitter, then refreshes it", async () => {
    jest.useFakeTimers({ now: new Date("2026-11-23T05:00:00Z") });
    const refreshed: string[] = [];
    const scheduler = new SummaryScheduler(async (org, installationId) => void refreshed.push(`${org}:${installationId}`), silent);
    const entry = scheduler.schedule("acme", 77, "0 6 * * *", 30)!;

    expect(scheduler.nextRun("acme")!.getTime()).toBe(Date.parse("2026-11-23T06:00:00Z") + entry.jitterMs);
    scheduler.trigger("acme");
    await jest.advanceTimersByTimeAsync(entry.jitterMs - 1);
    expect(refreshed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(refreshed).toEqual(["acme:77"]);
    scheduler.stopAll();
  });

  it("rescheduling replaces the job; unscheduling cancels a pending run; a bad cron schedules nothing", async () => {
    jest.useFakeTimers({ now: new Date("2026-11-23T05:00:00Z") });
    const refreshed: string[] = [];
    const capture = captureLog("error");
    const scheduler = new SummaryScheduler(async (org) => void refreshed.push(org), capture.log);
    scheduler.schedule("acme", 77, "0 6 * * *", 0);
    scheduler.schedule("acme", 77, "30 2 * * 1", 0);
    expect(scheduler.scheduled()).toEqual([{ org: "acme", installationId: 77, cron: "30 2 * * 1", jitterMs: 0 }]);
    expect(scheduler.nextRun("acme")!.toISOString()).toBe("2026-11-30T02:30:00.000Z");

    scheduler.schedule("globex", 78, "0 6 * * *", 10);
    scheduler.trigger("globex");
    scheduler.unschedule("globex");
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(refreshed).toEqual([]);

    expect(scheduler.schedule("initech", 79, "61 * * * *", 0)).toBeUndefined();
    expect(capture.text()).toContain("invalid `summary.schedule`");
    scheduler.stopAll();
    expect(scheduler.scheduled()).toEqual([]);
  });

  it("at start-up every organisation installation is scheduled with its own config; uninstalling removes it", async () => {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories: 3 });
    org.dotGithub.repo.files.set(".github/sdlc-guard.yml", "summary:\n  schedule: '15 4 * * 1-5'\n  jitter_minutes: 5\n");
    const { app, triggers } = await summaryApp(world);
    routeToWorld(world, ["GET", "POST"]);

    expect(await scheduleInstallations(app, triggers)).toBe(1);
    expect(triggers.scheduler.scheduled()).toEqual([
      { org: "acme", installationId: world.installationId, cron: "15 4 * * 1-5", jitterMs: jitterFor("acme", 5) },
    ]);
    expect(world.requests.slice(0, 1).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /app/installations"]);

    await app.receive({ id: "d-del", name: "installation", payload: installationDeletedEvent(world, "acme").payload } as Parameters<
      typeof app.receive
    >[0]);
    expect(triggers.scheduler.scheduled()).toEqual([]);
    triggers.scheduler.stopAll();
  });

  it("installing the app schedules the organisation (and refreshes it at once)", async () => {
    const world = new GitHubWorld();
    const built = buildOrg(world, { repositories: 2 });
    const { app, triggers } = await summaryApp(world, { now: () => new Date(built.now) });
    routeToWorld(world, ["GET", "POST"]);
    await app.receive({ id: "d-new", name: "installation", payload: installationCreatedEvent(world, "acme").payload } as Parameters<
      typeof app.receive
    >[0]);

    expect(triggers.scheduler.scheduled().map((s) => s.cron)).toEqual(["0 6 * * *"]);
    triggers.scheduler.stopAll();
  });
});

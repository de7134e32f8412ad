import type { SummaryControlId, SummaryHistoryEntry } from "../../src/facts/org-summary.js";
import { summaryNotification } from "../../src/evaluation/notify-summary.js";
import { slackMessage, teamsMessage, webhookMessage } from "../../src/report/notification-messages.js";
import { summaryChanges } from "../../src/report/org-summary-changes.js";
import { decodeHistory, encodeHistory, FAILING_LIMIT, failingOf, historyEntryOf } from "../../src/report/org-summary-history.js";
import { repository, summaryOf } from "../support/org-summary-fixture.js";

const failCell = (detail: string) => ({ state: "fail" as const, detail, fix: "Fix it." });
const previousRun = (repos: Record<string, SummaryControlId[]>, capped = false): SummaryHistoryEntry => ({
  at: "2025-06-01T06:00:00Z",
  repositories: 3,
  compliantPercent: 66.7,
  rates: {},
  failing: { repos, capped },
});

describe("the summary's per-repository record", () => {
  it("keeps the failing repositories and their columns for the newest run only, compactly, and reads them back", () => {
    const summary = summaryOf([
      repository("web", { "branch-protection": failCell("main is not protected"), "push-protection": failCell("disabled") }),
      repository("api"),
      repository("docs", { "secret-scanning": { state: "unknown", detail: "403", fix: "permission" } }),
    ]);
    const older = { ...historyEntryOf(summary), at: "2025-05-01T06:00:00Z" };

    const decoded = decodeHistory(encodeHistory([older, historyEntryOf(summary)]));

    expect(decoded[0]!.failing).toBeUndefined();
    expect(decoded[1]!.failing).toEqual({ repos: { web: ["branch-protection", "push-protection"] }, capped: false });
  });

  it(`past ${FAILING_LIMIT} failing repositories, the first by name are kept and the record says it is capped`, () => {
    const names = Array.from({ length: FAILING_LIMIT + 5 }, (_, i) => `repo-${String(i).padStart(4, "0")}`);
    const summary = summaryOf(names.map((name) => repository(name, { activity: failCell("idle") })));

    const record = failingOf(summary);

    expect(Object.keys(record.repos)).toEqual(names.slice(0, FAILING_LIMIT));
    expect(record.capped).toBe(true);
    // About 20 characters per repository in the hidden block.
    expect(encodeHistory([historyEntryOf(summary)]).length).toBeLessThan(FAILING_LIMIT * 30);
  });

  it("drops columns it no longer knows from a stored record", () => {
    const stored = {
      v: 1,
      entries: [
        {
          at: "2025-06-01T06:00:00Z",
          repositories: 1,
          compliantPercent: 0,
          rates: {},
          failing: { cols: ["retired", "activity"], repos: { web: 3 } },
        },
      ],
    };

    const [entry] = decodeHistory(`<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify(stored)).toString("base64")} -->`);

    expect(entry!.failing).toEqual({ repos: { web: ["activity"] }, capped: false });
  });
});

describe("newly failing repositories since the previous run", () => {
  const now = summaryOf([
    repository("was-passing", { "branch-protection": failCell("main is not protected") }),
    repository("was-unknown", { dependabot: failCell("1 critical alert") }),
    repository("still-failing", { activity: failCell("idle"), "code-scanning": failCell("not configured") }),
    repository("brand-new", { "repository-files": failCell("missing SECURITY.md") }),
    repository("fixed"),
  ]);

  it.each([
    ["a column that passed before", "was-passing", ["branch-protection"]],
    ["a column that was unknown or n/a before (not recorded as failing)", "was-unknown", ["dependabot"]],
    ["a new column of a repository already failing another", "still-failing", ["code-scanning"]],
    ["a repository not in the previous run", "brand-new", ["repository-files"]],
  ])("%s is newly failing", (_case, name, columns) => {
    const changes = summaryChanges(previousRun({ "still-failing": ["activity"], fixed: ["push-protection"] }), now)!;

    expect(changes.newlyFailing.find((r) => r.repository === name)?.columns.map((c) => c.id)).toEqual(columns);
  });

  it("a column failing in both runs is not news; a repository failing before and passing now is fixed", () => {
    const changes = summaryChanges(previousRun({ "still-failing": ["activity"], fixed: ["push-protection"] }), now)!;

    expect(changes.newlyFailing.map((r) => r.repository)).toEqual(["brand-new", "still-failing", "was-passing", "was-unknown"]);
    expect(changes.fixed).toEqual([{ repository: "fixed", columns: ["push-protection"] }]);
  });

  it.each([
    ["no previous run (the first refresh)", undefined],
    ["a previous run written before the record existed", { ...previousRun({}), failing: undefined }],
  ])("%s: nothing to compare with, nothing reported", (_case, previous) => {
    expect(summaryChanges(previous, now)).toBeNull();
  });

  it("beyond a capped record, a repository's earlier state is unknown: it is not reported", () => {
    const changes = summaryChanges(previousRun({ "still-failing": ["activity"] }, true), now)!;

    expect(changes.newlyFailing.map((r) => r.repository)).toEqual(["still-failing"]);
  });
});

describe("the message of the newly failing repositories", () => {
  const many = summaryOf(
    Array.from({ length: 23 }, (_, i) => repository(`svc-${String(i).padStart(2, "0")}`, { activity: failCell("no push for 400 days") })),
  );
  const notification = summaryNotification(many, summaryChanges(previousRun({}), many)!, { repository: ".github", number: 7 })!;

  it("lists 20 repositories and counts the rest, in every channel", () => {
    const slack = JSON.stringify(slackMessage(notification));
    expect(slack).toContain("*svc-19*\\nactivity: no push for 400 days");
    expect(slack).not.toContain("svc-20");
    expect(slack).toContain("and 3 more");
    expect(JSON.stringify(teamsMessage(notification))).toContain("and 3 more");
    const body = webhookMessage(notification) as { list: { items: unknown[]; more: number }; url: string };
    expect(body.list.items).toHaveLength(20);
    expect(body.list.more).toBe(3);
    expect(body.url).toBe("https://github.com/acme/.github/issues/7");
  });

  it("no newly failing repository: no message", () => {
    expect(summaryNotification(many, summaryChanges(historyEntryOf(many), many)!, undefined)).toBeNull();
  });

  it("the occurrence is the comparison: the same run compared again has the same key, another earlier run another key", () => {
    const again = summaryNotification(many, summaryChanges(previousRun({}), many)!, undefined)!;
    const other = summaryNotification(many, summaryChanges({ ...previousRun({}), at: "2025-06-01T07:00:00Z" }, many)!, undefined)!;

    expect(again.key).toBe(notification.key);
    expect(other.key).not.toBe(notification.key);
  });

  it("repository names cannot inject Slack mentions or Teams links", () => {
    const hostile = summaryOf([repository("<!channel>", { activity: failCell("[x](https://evil)") })]);
    const message = summaryNotification(hostile, summaryChanges(previousRun({}), hostile)!, undefined)!;

    expect(JSON.stringify(slackMessage(message))).toContain("&lt;!channel&gt;");
    expect(JSON.stringify(teamsMessage(message))).toContain("\\\\[x\\\\]\\\\(https://evil\\\\)");
  });
});

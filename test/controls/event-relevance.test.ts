import { canChangeResult, mayChangeAnyResult, pullRequestTriggers } from "../../src/controls/event-relevance.js";
import { triggerMatches, type EventFacts } from "../../src/controls/trigger.js";
import { load } from "js-yaml";
import { configSchema } from "../../src/config/schema.js";

const parseConfig = (yaml: string) => configSchema.parse(yaml ? load(yaml) : {});

describe("which events can change a pull request's result", () => {
  const edit = (changes?: Record<string, unknown>): EventFacts => ({ name: "pull_request", action: "edited", changes });

  it.each([
    ["a new head", { name: "pull_request", action: "synchronize" }, "yes"],
    ["a reopen", { name: "pull_request", action: "reopened" }, "yes"],
    ["ready for review (the draft state is in the title)", { name: "pull_request", action: "ready_for_review" }, "yes"],
    ["a new base branch", edit({ base: {} }), "yes"],
    ["an edit GitHub did not describe", edit(undefined), "yes"],
    ["an edit of an unknown key", edit({ milestone: {} }), "yes"],
    ["an edited title", edit({ title: {} }), "depends on config"],
    ["an edited body", edit({ body: {} }), "depends on config"],
    ["a review", { name: "pull_request_review", action: "submitted" }, "depends on config"],
    ["an edit that changed nothing", edit({}), "no"],
    ["a label", { name: "pull_request", action: "labeled" }, "no"],
    ["an assignee", { name: "pull_request", action: "assigned" }, "no"],
  ] as [string, EventFacts, string][])("%s: %s", (_what, event, expected) => {
    expect(mayChangeAnyResult(event)).toBe(expected);
  });

  it("under the policy, a title edit matters only when jira is on; a body edit when jira or description is", () => {
    const allOn = parseConfig("controls:\n  jira:\n    projects: [PAY]\n");
    const jiraOff = parseConfig("controls:\n  jira:\n    enforcement: off\n");
    const bothOff = parseConfig("controls:\n  jira:\n    enforcement: off\n  description:\n    enforcement: off\n");
    expect(canChangeResult(edit({ title: {} }), allOn)).toBe(true);
    expect(canChangeResult(edit({ title: {} }), jiraOff)).toBe(false);
    expect(canChangeResult(edit({ body: {} }), jiraOff)).toBe(true);
    expect(canChangeResult(edit({ body: {} }), bothOff)).toBe(false);
    expect(canChangeResult(edit({ title: {}, base: {} }), bothOff)).toBe(true);
    expect(canChangeResult(edit({ title: {} }), undefined)).toBe(true); // a config that cannot be used: evaluate
  });

  it("reviews and team changes matter while a review control is on", () => {
    const config = parseConfig("");
    const review = { name: "pull_request_review", action: "submitted" };
    expect(canChangeResult(review, config)).toBe(true);
    expect(pullRequestTriggers(config).some((t) => triggerMatches(t, { name: "membership", action: "added" }))).toBe(true);
  });

  it("a trigger names an event, an event.action, or an edit narrowed to what changed", () => {
    expect(triggerMatches("pull_request", { name: "pull_request", action: "labeled" })).toBe(true);
    expect(triggerMatches("pull_request.opened", { name: "pull_request", action: "closed" })).toBe(false);
    expect(triggerMatches("pull_request_review", { name: "pull_request", action: "opened" })).toBe(false);
    expect(triggerMatches({ event: "pull_request.edited", changes: ["title"] }, edit({ body: {} }))).toBe(false);
    expect(triggerMatches({ event: "pull_request.edited", changes: ["title"] }, edit({ title: {}, body: {} }))).toBe(true);
  });
});

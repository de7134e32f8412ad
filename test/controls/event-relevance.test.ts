import { canChangeResult, mayChangeAnyResult, pullRequestTriggers } from "../../src/controls/event-relevance.js";
import { RULE_TRIGGERS } from "../../src/controls/policy-rules-match.js";
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
    ["a label (policy rules may read labels)", { name: "pull_request", action: "labeled" }, "depends on config"],
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

  it("with policy rules, a label matters (a rule's condition may read it) and so does every control's trigger a rule could switch on; without, a label does not", () => {
    const noRules = parseConfig("controls:\n  jira:\n    enforcement: off\n");
    const withRules = parseConfig(
      "controls:\n  jira:\n    enforcement: off\nrules:\n  - name: security label\n    if: { labels: [security] }\n    controls:\n      jira: { enforcement: required }\n",
    );
    const label = { name: "pull_request", action: "labeled" };
    expect(canChangeResult(label, noRules)).toBe(false);
    expect(canChangeResult(label, withRules)).toBe(true);
    expect(canChangeResult({ name: "pull_request", action: "unlabeled" }, withRules)).toBe(true);
    // jira is off, but a rule may turn it on: a title edit can change the result.
    expect(canChangeResult(edit({ title: {} }), noRules)).toBe(false);
    expect(canChangeResult(edit({ title: {} }), withRules)).toBe(true);
  });

  it("every event a rule's conditions read is a trigger of a policy with rules", () => {
    const withRules = parseConfig("rules:\n  - name: r\n    if: { labels: [x] }\n    controls:\n      jira: { enforcement: required }\n");
    for (const name of RULE_TRIGGERS) {
      const [event, action] = name.split(".");
      const facts = action === "edited" ? edit({ base: {} }) : { name: event!, action };
      expect({ name, relevant: canChangeResult(facts, withRules) }).toEqual({ name, relevant: true });
    }
  });
});

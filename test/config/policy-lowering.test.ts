import { describeLowering, findLoweredKeys } from "../../src/config/policy-lowering.js";
import { mergeConfig } from "../../src/config/merge-config.js";
import type { RawConfig } from "../../src/config/parse-config-file.js";
import { configSchema } from "../../src/config/schema.js";

/** The org's file and a repository's file merged over it, as the app loads them (no floor here). */
const lowered = (org: RawConfig, repo: RawConfig) => {
  const orgConfig = configSchema.parse(org);
  const repoConfig = configSchema.parse(mergeConfig(org, repo));
  return findLoweredKeys(orgConfig, repoConfig).map(describeLowering);
};

describe("what a repository's file lowers below the org's file", () => {
  it.each<[string, RawConfig, RawConfig, string[]]>([
    ["nothing set: nothing lowered", {}, {}, []],
    ["a control turned off", {}, { controls: { reviews: { enforcement: "off" } } }, ["reviews turned off"]],
    ["required lowered to advisory", {}, { controls: { jira: { enforcement: "advisory" } } }, ["jira lowered to advisory"]],
    [
      "an advisory org control raised to required is tightening",
      { controls: { jira: { enforcement: "advisory" } } },
      { controls: { jira: { enforcement: "required" } } },
      [],
    ],
    [
      "fewer approvals than the org's",
      { controls: { reviews: { min_approvals: 3 } } },
      { controls: { reviews: { min_approvals: 1 } } },
      ["controls.reviews.min_approvals 3 → 1"],
    ],
    [
      "more approvals than the org's is tightening",
      { controls: { reviews: { min_approvals: 2 } } },
      { controls: { reviews: { min_approvals: 4 } } },
      [],
    ],
    [
      "a bypass actor the org does not allow",
      {},
      { controls: { "direct-push": { bypass_actors: ["deploy-bot"] } } },
      ["controls.direct-push.bypass_actors [] → [deploy-bot]"],
    ],
    [
      "a required check dropped",
      { controls: { "required-checks": { checks: ["ci/test", "CodeQL"] } } },
      { controls: { "required-checks": { checks: ["ci/test"] } } },
      ["controls.required-checks.checks [ci/test, CodeQL] → [ci/test]"],
    ],
    ["jira projects narrowed from any project is tightening", {}, { controls: { jira: { projects: ["PAY"] } } }, []],
    [
      "jira projects the org does not accept",
      { controls: { jira: { projects: ["PAY"] } } },
      { controls: { jira: { projects: ["OPS"] } } },
      ["controls.jira.projects [PAY] → [OPS]"],
    ],
    [
      "waivers that last longer",
      {},
      { exceptions: { expires_after_days: 60, max_expires_after_days: 90 } },
      ["exceptions.expires_after_days 14 → 60", "exceptions.max_expires_after_days 30 → 90"],
    ],
    ["approver teams the org does not name", {}, { exceptions: { approvers: ["acme/devs"] } }, ["exceptions.approvers [] → [acme/devs]"]],
    ["a report destination has no order: not judged", {}, { controls: { "direct-push": { report: "check" } } }, []],
    ["a different pattern is not weaker, only different: not judged", {}, { controls: { "release-tag": { pattern: "^r\\d+$" } } }, []],
  ])("%s", (_name, org, repo, expected) => {
    expect(lowered(org, repo)).toEqual(expected);
  });
});

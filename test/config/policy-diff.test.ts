import { lineOfKey } from "../../src/config/key-line.js";
import { diffPolicies } from "../../src/config/policy-diff.js";

describe("what merging a policy file would change, key by key", () => {
  const policy = (reviews: object, floorHeld?: { key: string; from: string; to: string }[]) => ({
    config: { controls: { reviews: { enforcement: "required", ...reviews } } },
    ...(floorHeld ? { floorHeld } : {}),
  });

  it.each([
    [
      "a raised value is listed from what applies to what is asked",
      policy({ min_approvals: 2 }),
      policy({ min_approvals: 3 }),
      [{ key: "controls.reviews.min_approvals", from: "2", to: "3" }],
    ],
    [
      "a value below the floor is listed with what it is held at",
      policy({ min_approvals: 3 }),
      policy({ min_approvals: 2 }, [{ key: "controls.reviews.min_approvals", from: "1", to: "2" }]),
      [{ key: "controls.reviews.min_approvals", from: "3", to: "1", heldAt: "2" }],
    ],
    [
      "a held value the file keeps asking for is no change",
      policy({ min_approvals: 2 }, [{ key: "controls.reviews.min_approvals", from: "1", to: "2" }]),
      policy({ min_approvals: 2 }, [{ key: "controls.reviews.min_approvals", from: "1", to: "2" }]),
      [],
    ],
    [
      "lists are compared whole, and a key no longer set says so",
      { config: { controls: { jira: { projects: ["PAY", "OPS"] } }, floor: { controls: { reviews: { min_approvals: 2 } } } } },
      { config: { controls: { jira: { projects: ["PAY"] } } } },
      [
        { key: "controls.jira.projects", from: "[PAY, OPS]", to: "[PAY]" },
        { key: "floor.controls.reviews.min_approvals", from: "2", to: "(not set)" },
      ],
    ],
    ["an identical policy changes nothing", policy({ min_approvals: 2 }), policy({ min_approvals: 2 }), []],
  ])("%s", (_case, current, proposed, expected) => {
    expect(diffPolicies(current, proposed)).toEqual(expected);
  });
});

describe("the line a config error points at", () => {
  const file = [
    "# acme/payments",
    "controls:",
    "  jira:",
    "    projects: [PAY]",
    "  reviews:",
    "    enforcement: required",
    "",
    "    min_approvals: two",
    "  branch-protection: { min_approvals: x }",
    '"exceptions":',
    "  approvers: [acme/cto]",
  ].join("\n");

  it.each([
    [["controls", "reviews", "min_approvals"], 8],
    [["controls", "jira", "projects"], 4],
    [["controls", "branch-protection", "min_approvals"], 9], // inside a flow mapping: its parent's line
    [["controls", "reviews", "missing"], 5], // a key the file lacks: the closest ancestor
    [["exceptions", "approvers", 0], 11], // a list entry: the list's line
    [["controls", "jira", "min_approvals"], 3], // not jira's child though it appears later under reviews
    [["summary"], undefined],
  ])("%j is on line %s", (path, line) => {
    expect(lineOfKey(file, path)).toBe(line);
  });
});

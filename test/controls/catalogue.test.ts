import { existsSync, readFileSync } from "node:fs";
import { load } from "js-yaml";
import { configJsonSchema, configSchema, controlsSchema } from "../../src/config/schema.js";
import {
  CATALOGUE,
  CONTROL_IDS,
  PULL_REQUEST_CONTROLS,
  PUSH_CONTROLS,
  RELEASE_CONTROLS,
  TAG_CONTROLS,
  violationIssueOf,
} from "../../src/controls/catalogue.js";
import { snapshotNeeds } from "../../src/controls/evaluate-pull-request-controls.js";
import { effectiveEnforcement } from "../../src/controls/results.js";
import { OPTIONAL_PULL_REQUEST_FACTS, type OptionalPullRequestFact } from "../../src/facts/pull-request.js";
import { optionalFactVariables, PULL_REQUEST_QUERY, QUERY_FLAG_OF_FACT } from "../../src/github/refs/pull-request-snapshot.js";

// Every list of controls is derived from src/controls/catalogue.ts: these tests keep the catalogue, the config schema,
// the snapshot query and the control catalogue of the policy (CONTROLS.md) in agreement.

const CONTROLS_MD = "../shared/CONTROLS.md";
const manifest = load(readFileSync("app.yml", "utf8")) as { default_events: string[] };

/** Settings under which every control is on and needs everything it can need. */
const EVERYTHING_ON = {
  reviews: { require_code_owners: true },
  "reviewer-teams": { teams: ["acme/senior-engineers"] },
  "required-checks": { checks: ["CodeQL"] },
  "commit-messages": { enforcement: "required" },
  description: { enforcement: "required" },
  "signed-release": { enforcement: "required" },
  "release-notes": { enforcement: "required" },
};

describe("the control catalogue", () => {
  it("lists the controls of the policy's catalogue (CONTROLS.md), in its order", () => {
    expect(existsSync(CONTROLS_MD)).toBe(true);
    const documented = [...readFileSync(CONTROLS_MD, "utf8").matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
    const ours = [...CONTROL_IDS];
    // Our controls appear in the catalogue, in its order; a documented control not built yet is named here.
    expect(documented.filter((id) => ours.includes(id as never))).toEqual(ours);
    expect(documented.filter((id) => !ours.includes(id as never))).toEqual(NOT_BUILT_YET);
  });

  it("every control of the config schema has a descriptor, and every descriptor a config section", () => {
    expect(Object.keys(controlsSchema.shape)).toEqual([...CONTROL_IDS]);
    const json = configJsonSchema() as { properties: { controls: { properties: Record<string, unknown> } } };
    expect(Object.keys(json.properties.controls.properties)).toEqual([...CONTROL_IDS]);
    expect(new Set(CONTROL_IDS).size).toBe(CATALOGUE.length);
  });

  it("each control's section has a default enforcement and describes every key", () => {
    const defaults = configSchema.parse({}).controls as Record<string, { enforcement: string }>;
    for (const control of CATALOGUE) {
      expect(["required", "advisory", "off"]).toContain(defaults[control.id]!.enforcement);
      const section = (
        configJsonSchema() as {
          properties: {
            controls: { properties: Record<string, { description?: string; properties: Record<string, { description?: string }> }> };
          };
        }
      ).properties.controls.properties[control.id]!;
      expect(section.description).toEqual(expect.stringContaining(`\`${control.id}\``));
      for (const [key, field] of Object.entries(section.properties))
        expect([control.id, key, field.description ?? ""]).toEqual([control.id, key, expect.any(String)]);
    }
  });

  it("the families partition the catalogue: pull request, push, tag, release and the deployment gate", () => {
    const families = [PULL_REQUEST_CONTROLS, PUSH_CONTROLS, TAG_CONTROLS, RELEASE_CONTROLS].flat().map((c) => c.id);
    expect([...families, "deployment"].sort()).toEqual([...CONTROL_IDS].sort());
    expect(PUSH_CONTROLS.map((c) => c.id)).toEqual(["merged-unverified", "direct-push", "force-push"]);
    expect(TAG_CONTROLS.map((c) => c.id)).toEqual(["release-tag", "signed-release"]);
    expect(RELEASE_CONTROLS.map((c) => c.id)).toEqual(["release-notes"]);
  });

  it("every push, tag and release control has its violation issue and a `report` setting", () => {
    for (const control of [...PUSH_CONTROLS, ...TAG_CONTROLS, ...RELEASE_CONTROLS]) {
      expect(violationIssueOf(control.id)).toEqual({
        title: expect.stringMatching(/^sdlc-guard: /),
        intro: expect.stringMatching(/^[A-Z]{3}[ -].{80,}/),
      });
      expect(configSchema.parse({}).controls[control.id]).toHaveProperty("report");
    }
    for (const control of PULL_REQUEST_CONTROLS) expect(violationIssueOf(control.id)).toBeUndefined();
  });

  it("every trigger is an event app.yml subscribes to", () => {
    for (const control of CATALOGUE) {
      expect(control.triggers.length).toBeGreaterThan(0);
      for (const trigger of control.triggers)
        expect([control.id, manifest.default_events]).toEqual([
          control.id,
          expect.arrayContaining([(typeof trigger === "string" ? trigger : trigger.event).split(".")[0]]),
        ]);
    }
  });

  it("reviewer-teams and required-checks are off until their lists are configured, and on once they are", () => {
    const defaults = configSchema.parse({});
    expect(effectiveEnforcement("reviewer-teams", defaults).enforcement).toBe("off");
    expect(effectiveEnforcement("required-checks", defaults).enforcement).toBe("off");
    const configured = configSchema.parse({ controls: EVERYTHING_ON });
    expect(effectiveEnforcement("reviewer-teams", configured).enforcement).toBe("required");
    expect(effectiveEnforcement("required-checks", configured).enforcement).toBe("required");
  });
});

describe("facts: what a control declares is what the snapshot reads", () => {
  const everything = configSchema.parse({ controls: EVERYTHING_ON });

  it.each(PULL_REQUEST_CONTROLS.map((control) => [control.id, Object.keys(control.facts) as OptionalPullRequestFact[]] as const))(
    "%s: each declared fact is read when the control is on (%j)",
    (_id, facts) => {
      const needs = snapshotNeeds(everything);
      const variables = optionalFactVariables(needs);
      for (const fact of facts) {
        expect(needs.has(fact)).toBe(true);
        if (fact === "secretScanning") continue; // read by REST (github/refs/secret-scanning-state.ts), not by the query
        const flag = QUERY_FLAG_OF_FACT[fact];
        expect(variables[flag]).toBe(true);
        expect(PULL_REQUEST_QUERY).toContain(`@include(if: $${flag})`);
      }
    },
  );

  it("every optional fact has a source: a switch of the snapshot query, or the REST read of secret scanning", () => {
    expect([...Object.keys(QUERY_FLAG_OF_FACT), "secretScanning"].sort()).toEqual([...OPTIONAL_PULL_REQUEST_FACTS].sort());
  });

  it("a control that is off costs nothing: none of its facts are read", () => {
    const off = Object.fromEntries(CONTROL_IDS.map((id) => [id, { enforcement: "off" }]));
    expect([...snapshotNeeds(configSchema.parse({ controls: off }))]).toEqual([]);
    expect([...snapshotNeeds(configSchema.parse({ controls: { ...off, "commit-messages": { enforcement: "advisory" } } }))]).toEqual([
      "commits",
    ]);
  });

  it("waiver commands are read (the comments) when approvers are configured, whatever the controls", () => {
    expect(snapshotNeeds(configSchema.parse({ exceptions: { approvers: ["acme/cto"] } })).has("comments")).toBe(true);
    expect(snapshotNeeds(configSchema.parse({})).has("comments")).toBe(false);
  });
});

/** Controls of the policy's catalogue that are documented there but not built yet (each has its issue). */
const NOT_BUILT_YET: string[] = [];

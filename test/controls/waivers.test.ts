import { configSchema } from "../../src/config/schema.js";
import { PULL_REQUEST_CONTROL_IDS } from "../../src/controls/catalogue.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type ControlResult } from "../../src/controls/results.js";
import { type TeamMembers } from "../../src/facts/pull-request.js";
import { activeWaivers, applyWaivers, parseWaiverCommand, type Waiver, type WaiverContext } from "../../src/controls/waivers.js";
import { type PullRequestComment } from "../../src/facts/pull-request.js";

const WHY = "Hotfix for the card outage, ticket INC-77";
const exceptions = configSchema.parse({ exceptions: { approvers: ["acme/tech-leads"] } }).exceptions;
const teams: TeamMembers = new Map([["acme/tech-leads", fetched(new Set(["lead-lina", "lead-lou"]))]]);
const ctx = (overrides: Partial<WaiverContext> = {}): WaiverContext => ({
  prAuthor: "dev-alice",
  config: exceptions,
  approverTeams: teams,
  controls: PULL_REQUEST_CONTROL_IDS,
  ...overrides,
});

let id = 0;
const comment = (login: string, body: string, extra: Partial<PullRequestComment> = {}): PullRequestComment => {
  id++;
  return {
    id,
    url: `https://github.com/acme/payments/pull/7#issuecomment-${id}`,
    author: { login, bot: false },
    body,
    createdAt: `2026-11-20T10:${String(id).padStart(2, "0")}:00Z`,
    edited: false,
    ...extra,
  };
};
const failing = (id: ControlResult["id"], enforcement: ControlResult["enforcement"] = "required"): ControlResult => ({
  id,
  enforcement,
  outcome: "fail",
  reason: "No Jira key.",
  fix: "Add one.",
});

describe("waiver commands", () => {
  it.each([
    ["/sdlc-guard waive jira " + WHY, { kind: "waive", control: "jira", justification: WHY }],
    [`\n  /SDLC-GUARD Waive JIRA ${WHY}\nsecond line`, { kind: "waive", control: "jira", justification: `${WHY} second line` }],
    ["/sdlc-guard revoke reviews", { kind: "revoke", control: "reviews" }],
    ["/sdlc-guard waive", { kind: "malformed", reason: "name the control: `/sdlc-guard waive <control-id> <justification>`" }],
    ["/sdlc-guard revoke", { kind: "malformed", reason: "name the control: `/sdlc-guard revoke <control-id>`" }],
    ["please /sdlc-guard waive jira", null],
    ["/sdlc-guard refresh", null],
  ])("%j", (body, expected) => expect(parseWaiverCommand(body)).toEqual(expected));
});

describe("waivers in force", () => {
  it("an approver's waiver is in force until an approver, or whoever waived it, revokes it", () => {
    const waive = comment("lead-lina", `/sdlc-guard waive jira ${WHY}`);
    expect([...activeWaivers([waive], ctx()).waivers.keys()]).toEqual(["jira"]);
    expect(activeWaivers([waive, comment("lead-lou", "/sdlc-guard revoke jira")], ctx()).waivers.size).toBe(0);
    expect(activeWaivers([waive, comment("dev-dave", "/sdlc-guard revoke jira")], ctx())).toMatchObject({
      waivers: new Map([["jira", expect.objectContaining({ by: "lead-lina" })]]),
      refused: [{ reason: "only members of acme/tech-leads can revoke a waiver" }],
    });
  });

  it("comments are taken in the order they were written, whatever order GitHub lists them in", () => {
    const waive = comment("lead-lina", `/sdlc-guard waive jira ${WHY}`);
    const revoke = comment("lead-lou", "/sdlc-guard revoke jira");
    expect(activeWaivers([revoke, waive], ctx()).waivers.size).toBe(0);
  });

  it.each([
    [
      "a bot",
      comment("release-bot", `/sdlc-guard waive jira ${WHY}`, { author: { login: "release-bot", bot: true } }),
      "waivers are given by people, not bots",
    ],
    ["a deleted account", comment("ghost", `/sdlc-guard waive jira ${WHY}`, { author: null }), "waivers are given by people, not bots"],
    [
      "an edited comment",
      comment("lead-lina", `/sdlc-guard waive jira ${WHY}`, { edited: true }),
      "the comment was edited after it was posted",
    ],
    [
      "a push/tag control",
      comment("lead-lina", `/sdlc-guard waive direct-push ${WHY}`),
      "`direct-push` is not a control of this pull request",
    ],
    ["a non-member", comment("dev-dave", `/sdlc-guard waive jira ${WHY}`), "only members of acme/tech-leads can waive a control"],
    ["the PR's author", comment("dev-alice", `/sdlc-guard waive jira ${WHY}`), "the author of a pull request cannot waive its controls"],
    [
      "a short justification",
      comment("lead-lina", "/sdlc-guard waive jira it is fine"),
      "a justification of at least 20 characters is needed",
    ],
    ["a malformed command", comment("lead-lina", "/sdlc-guard waive"), "name the control"],
  ])("%s does not count", (_case, c, reason) => {
    const { waivers, refused } = activeWaivers([c], ctx());
    expect(waivers.size).toBe(0);
    expect(refused[0]!.reason).toContain(reason);
  });

  it("fails closed when the approver teams cannot be read, or none is configured", () => {
    const waive = comment("lead-lina", `/sdlc-guard waive jira ${WHY}`);
    const unreadable: TeamMembers = new Map([["acme/tech-leads", unavailable("HTTP 502")]]);
    expect(activeWaivers([waive], ctx({ approverTeams: unreadable })).refused[0]!.reason).toBe(
      "the members of the approver teams (acme/tech-leads) could not be read, so the approval cannot be verified",
    );
    expect(activeWaivers([waive], ctx({ config: { ...exceptions, approvers: [] } })).refused[0]!.reason).toMatch(
      /^no approver team is configured/,
    );
  });

  it("non-waivable controls are configurable", () => {
    const config = configSchema.parse({
      exceptions: { approvers: ["acme/tech-leads"], non_waivable: ["reviews", "secret-scanning"] },
    }).exceptions;
    expect(activeWaivers([comment("lead-lina", `/sdlc-guard waive reviews ${WHY}`)], ctx({ config })).refused[0]!.reason).toBe(
      "`reviews` cannot be waived (`exceptions.non_waivable`)",
    );
  });
});

describe("applying waivers", () => {
  const waiver: Waiver = {
    control: "jira",
    by: "lead-lina",
    at: "2026-11-20T10:01:00Z",
    justification: WHY,
    url: "https://github.com/acme/payments/pull/7#issuecomment-1",
  };

  it("a failing control becomes waived with who, when and why; passing and off controls are untouched", () => {
    const pass: ControlResult = { id: "reviews", enforcement: "required", outcome: "pass", reason: "2 of 2.", fix: "" };
    const off = { ...failing("description", "off"), outcome: "pass" as const };
    const waivers = new Map<ControlResult["id"], Waiver>([
      ["jira", waiver],
      ["reviews", { ...waiver, control: "reviews" }],
      ["description", { ...waiver, control: "description" }],
    ]);
    const [jira, reviews, description] = applyWaivers([failing("jira"), pass, off], waivers);
    expect(jira).toEqual({
      id: "jira",
      enforcement: "required",
      outcome: "waived",
      reason: `Waived by @lead-lina on 2026-11-20: "${WHY}". Without the waiver: No Jira key.`,
      fix: "",
      waiver: { by: "lead-lina", at: "2026-11-20T10:01:00Z", justification: WHY, url: waiver.url },
    });
    expect(reviews).toBe(pass);
    expect(description).toBe(off);
  });
});

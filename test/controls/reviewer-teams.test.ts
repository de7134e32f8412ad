import { configSchema, defaultConfig, type ReviewerTeamsConfig, type ReviewsConfig } from "../../src/config/schema.js";
import { evaluateReviewerTeams } from "../../src/controls/reviewer-teams.js";
import { fetched, unavailable, type Fetched } from "../../src/facts/fetched.js";
import { type PullRequestSnapshot, type Review, type ReviewState, type TeamMembers } from "../../src/facts/pull-request.js";
import { HEAD_SHA, pullRequestSnapshot } from "../support/snapshot.js";

const OLDER = "0ld0ld1234567890abcdef1234567890abcdef12";

/** A review by a human with write access, submitted at 10:MM, on the head commit unless told otherwise. */
function review(login: string, state: ReviewState, minute: number, commitSha: string = HEAD_SHA): Review {
  return {
    author: { login, isBot: false },
    state,
    commitSha,
    submittedAt: `2025-03-01T10:${String(minute).padStart(2, "0")}:00Z`,
    authorCanPush: true,
  };
}

const snapshot = (reviews: Review[], overrides: Partial<PullRequestSnapshot> = {}): ReturnType<typeof pullRequestSnapshot> =>
  pullRequestSnapshot({ author: { login: "alice", isBot: false }, reviews: fetched(reviews), ...overrides });

const controls = (settings: Record<string, unknown>) => configSchema.parse({ controls: settings }).controls;
const reviewsConfig = (settings: Record<string, unknown> = {}): ReviewsConfig => controls({ reviews: settings }).reviews;
const teamsConfig = (teams: string[]): ReviewerTeamsConfig => controls({ "reviewer-teams": { teams } })["reviewer-teams"];

/** acme/senior-engineers: bob, carol, alice; acme/cto: dave (logins lower-case, as the caller reads them). */
const members = (extra: [string, Fetched<ReadonlySet<string>>][] = []): TeamMembers =>
  new Map<string, Fetched<ReadonlySet<string>>>([
    ["acme/senior-engineers", fetched(new Set(["bob", "carol", "alice"]))],
    ["acme/cto", fetched(new Set(["dave"]))],
    ...extra,
  ]);

const BOTH = ["acme/senior-engineers", "acme/cto"];
const evaluate = (
  reviews: Review[],
  teams: string[] = BOTH,
  settings: { reviews?: Record<string, unknown>; members?: TeamMembers; pr?: Partial<PullRequestSnapshot> } = {},
) =>
  evaluateReviewerTeams(snapshot(reviews, settings.pr), reviewsConfig(settings.reviews), teamsConfig(teams), settings.members ?? members());

describe("reviewer-teams: a counted approval from a member of each configured team", () => {
  it("has no teams by default (off until configured)", () => {
    expect(defaultConfig.controls["reviewer-teams"]).toEqual({ enforcement: "required", teams: [] });
  });

  it("no configured teams passes, without reading reviews", () => {
    const pr = snapshot([], { reviews: unavailable("not needed") });
    expect(evaluateReviewerTeams(pr, reviewsConfig(), teamsConfig([]), new Map())).toEqual({
      outcome: "pass",
      reason: "No reviewer teams configured.",
      fix: "",
      notes: undefined,
    });
  });

  it("an approval from a member of each team passes, naming who approved for each", () => {
    const result = evaluate([review("bob", "APPROVED", 1), review("dave", "APPROVED", 2), review("carol", "APPROVED", 3)]);
    expect(result).toEqual({
      outcome: "pass",
      reason: "acme/senior-engineers: approved by bob, carol; acme/cto: approved by dave.",
      fix: "",
      notes: undefined,
    });
  });

  it("when who wrote the change cannot be read, no approval is trusted: it fails closed, as reviews does", () => {
    const approvals = [review("bob", "APPROVED", 1), review("dave", "APPROVED", 2)];
    expect(evaluate(approvals, BOTH, { pr: { commits: unavailable("GitHub answered HTTP 502") } })).toMatchObject({
      outcome: "error",
      reason: "Could not read the pull request's commits (who wrote the change): GitHub answered HTTP 502",
    });
    // With independence turned off, the commits are not needed.
    expect(
      evaluate(approvals, BOTH, { pr: { commits: unavailable("GitHub answered HTTP 502") }, reviews: { independent_approvers: false } })
        .outcome,
    ).toBe("pass");
  });

  it("an approval by someone outside senior-engineers does not satisfy reviewer-teams", () => {
    const result = evaluate([review("erin", "APPROVED", 1), review("dave", "APPROVED", 2)]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      "No counted approval from a member of acme/senior-engineers (approvers: erin, dave). acme/cto: approved by dave.",
    );
    expect(result.fix).toBe("Ask a member of acme/senior-engineers to review and approve the latest commit.");
  });

  it("without any approval, every team is named", () => {
    const result = evaluate([]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("No counted approval from a member of acme/senior-engineers, acme/cto (no counted approvals).");
    expect(result.fix).toBe("Ask a member of acme/senior-engineers, acme/cto to review and approve the latest commit.");
  });

  describe("approvals are counted exactly as `reviews` counts them", () => {
    it("a CTO approval on an older commit does not count", () => {
      const result = evaluate([review("bob", "APPROVED", 1), review("dave", "APPROVED", 2, OLDER)]);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/cto (approvers: bob). acme/senior-engineers: approved by bob.");
      expect(result.notes).toEqual(["acme/cto: the approval by dave is on an older commit and does not count."]);
    });

    it("a CTO approval on an older commit counts when count_stale_approvals is true", () => {
      const result = evaluate([review("bob", "APPROVED", 1), review("dave", "APPROVED", 2, OLDER)], BOTH, {
        reviews: { count_stale_approvals: true },
      });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("acme/senior-engineers: approved by bob; acme/cto: approved by dave.");
    });

    it("the author's own approval does not count, even as a team member", () => {
      const result = evaluate([review("alice", "APPROVED", 1)], ["acme/senior-engineers"]);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/senior-engineers (no counted approvals).");
    });

    it("a team member's approval cancelled by their later CHANGES_REQUESTED does not count", () => {
      const result = evaluate([review("dave", "APPROVED", 1), review("dave", "CHANGES_REQUESTED", 2)], ["acme/cto"]);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/cto (no counted approvals).");
    });

    it("a team member without write access does not count, and a note says so", () => {
      const result = evaluate([{ ...review("dave", "APPROVED", 1), authorCanPush: false }], ["acme/cto"]);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/cto (no counted approvals).");
      expect(result.notes).toEqual(["acme/cto: dave cannot push to the repository, so their review does not count."]);
    });

    it("a bot in the team does not count", () => {
      const bot: Review = { ...review("ci-bot[bot]", "APPROVED", 1), author: { login: "ci-bot[bot]", isBot: true } };
      const result = evaluate([bot], ["acme/cto"], { members: members([["acme/cto", fetched(new Set(["ci-bot[bot]"]))]]) });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/cto (no counted approvals).");
    });

    it("when the PR author's account was deleted, every team member's approval counts", () => {
      const result = evaluate([review("dave", "APPROVED", 1)], ["acme/cto"], { pr: { author: null } });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("acme/cto: approved by dave.");
    });

    it("logins are compared case-insensitively with the member list", () => {
      const result = evaluate([review("Dave", "APPROVED", 1)], ["acme/cto"]);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("acme/cto: approved by Dave.");
    });

    it("one approver can satisfy several teams", () => {
      const both = members([["acme/security", fetched(new Set(["dave"]))]]);
      const result = evaluate([review("dave", "APPROVED", 1)], ["acme/cto", "acme/security"], { members: both });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("acme/cto: approved by dave; acme/security: approved by dave.");
    });

    it("configured teams are matched case-insensitively, with or without @, and a duplicate counts once", () => {
      const result = evaluate([review("dave", "APPROVED", 1)], ["@ACME/CTO", "acme/cto"]);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("acme/cto: approved by dave.");
    });
  });

  describe("fails closed when reviews or team membership cannot be read", () => {
    it("reviews that could not be read are an error", () => {
      const result = evaluate([], BOTH, { pr: { reviews: unavailable("GitHub answered 502") } });
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe("Could not read the pull request's reviews: GitHub answered 502");
    });

    it("a team whose members could not be read cannot be evaluated, even when the other is satisfied", () => {
      const result = evaluate([review("bob", "APPROVED", 1), review("dave", "APPROVED", 2)], BOTH, {
        members: members([["acme/cto", unavailable("GitHub answered 404 Not Found")]]),
      });
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe("Could not read the members of acme/cto: GitHub answered 404 Not Found");
      expect(result.fix).toMatch(/Re-run/);
      expect(result.fix).toContain('"Members: read" permission');
    });

    it("a team missing from the membership map cannot be evaluated", () => {
      const result = evaluate([review("bob", "APPROVED", 1)], ["acme/senior-engineers", "acme/security"]);
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe("Could not read the members of acme/security: not read for this evaluation");
    });

    it("several unreadable teams are each named with their error", () => {
      const result = evaluate([], ["acme/security", "acme/cto"], { members: members([["acme/cto", unavailable("HTTP 403")]]) });
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe(
        "Could not read the members of acme/security, acme/cto: acme/security: not read for this evaluation; acme/cto: HTTP 403",
      );
    });

    it("a readable team that is not satisfied fails, and the unreadable one is noted", () => {
      const result = evaluate([review("erin", "APPROVED", 1)], BOTH, { members: members([["acme/cto", unavailable("HTTP 403")]]) });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("No counted approval from a member of acme/senior-engineers (approvers: erin).");
      expect(result.notes).toEqual(["The members of acme/cto could not be read: HTTP 403."]);
    });
  });
});

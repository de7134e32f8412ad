import { configSchema, defaultConfig, type ReviewsConfig } from "../../src/config/schema.js";
import { countQualifyingApprovals, evaluateReviews, type ReviewTally } from "../../src/controls/reviews.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type Actor, type PullRequestSnapshot, type Review, type ReviewState } from "../../src/facts/pull-request.js";
import { toActor } from "../../src/github/refs/pull-request-snapshot.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const HEAD = "c0ffee1234567890abcdef1234567890abcdef12";
const OLDER = "0ld0ld1234567890abcdef1234567890abcdef12";

const human = (login: string): Actor => ({ login, isBot: false });

/** A review submitted at 10:MM on 2025-03-01 (the format GitHub uses), on the head commit unless told otherwise. */
function review(author: Actor | string | null, state: ReviewState, minute: number, commitSha: string | null = HEAD): Review {
  const actor = typeof author === "string" ? human(author) : author;
  const submittedAt = state === "PENDING" ? null : `2025-03-01T10:${String(minute).padStart(2, "0")}:00Z`;
  return { author: actor, state, commitSha, submittedAt, authorCanPush: true };
}

function snapshot(reviews: Review[], overrides: Partial<PullRequestSnapshot> = {}): ReturnType<typeof pullRequestSnapshot> {
  return pullRequestSnapshot({
    number: 42,
    title: "PAY-123: refunds",
    headRefName: "feature/pay-123-refunds",
    author: human("alice"),
    reviews: fetched(reviews),
    ...overrides,
  });
}

const reviewsConfig = (settings: Record<string, unknown> = {}): ReviewsConfig =>
  configSchema.parse({ controls: { reviews: settings } }).controls.reviews;

const tally = (t: Partial<ReviewTally>): ReviewTally => ({
  approvers: [],
  blockers: [],
  staleApprovers: [],
  withoutWriteAccess: [],
  notIndependent: [],
  unmatchedCoAuthors: [],
  ...t,
});

describe("reviews: >= 2 distinct human approvals on the head commit, not the author, not bots", () => {
  it("the default policy needs two approvals and does not count stale ones", () => {
    expect(defaultConfig.controls.reviews).toEqual({
      enforcement: "required",
      min_approvals: 2,
      count_stale_approvals: false,
      require_code_owners: false,
      independent_approvers: true,
    });
  });

  describe("which approvals qualify (countQualifyingApprovals, then evaluateReviews with the default 2 approvals)", () => {
    interface Case {
      name: string;
      reviews: Review[];
      countStale?: boolean;
      prAuthor?: string | null;
      expected: Partial<ReviewTally>;
      outcome: "pass" | "fail";
    }
    const cases: Case[] = [
      {
        name: "two humans approving the head commit both count",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "an approval by a bot does not count",
        reviews: [review("bob", "APPROVED", 1), review({ login: "renovate", isBot: true }, "APPROVED", 2)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "an approval by a bot whose login ends in [bot] does not count",
        reviews: [review("bob", "APPROVED", 1), review({ login: "dependabot[bot]", isBot: true }, "APPROVED", 2)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "a bot requesting changes does not block",
        reviews: [
          review("bob", "APPROVED", 1),
          review("carol", "APPROVED", 2),
          review({ login: "lint-bot[bot]", isBot: true }, "CHANGES_REQUESTED", 3),
        ],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "an approval on an older commit does not count",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, OLDER)],
        expected: { approvers: ["bob"], staleApprovers: ["carol"] },
        outcome: "fail",
      },
      {
        name: "an approval on an older commit counts when count_stale_approvals is true",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, OLDER)],
        countStale: true,
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "an approval on a commit GitHub no longer knows does not count",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, null)],
        expected: { approvers: ["bob"], staleApprovers: ["carol"] },
        outcome: "fail",
      },
      {
        name: "a later approval on the head commit replaces an approval on an older commit",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, OLDER), review("carol", "APPROVED", 9)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "a later changes-requested cancels an approval",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("bob", "CHANGES_REQUESTED", 5)],
        expected: { approvers: ["carol"], blockers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "a later COMMENTED does not cancel an approval",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("bob", "COMMENTED", 5)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "a later COMMENTED does not lift a changes-requested",
        reviews: [review("bob", "CHANGES_REQUESTED", 1), review("bob", "COMMENTED", 2), review("carol", "APPROVED", 3)],
        expected: { approvers: ["carol"], blockers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "a later approval lifts an earlier changes-requested",
        reviews: [review("bob", "CHANGES_REQUESTED", 1), review("carol", "APPROVED", 2), review("bob", "APPROVED", 5)],
        expected: { approvers: ["carol", "bob"] },
        outcome: "pass",
      },
      {
        name: "a dismissed approval no longer counts",
        reviews: [review("bob", "DISMISSED", 1), review("carol", "APPROVED", 2)],
        expected: { approvers: ["carol"] },
        outcome: "fail",
      },
      {
        name: "an approval given after a dismissal counts again",
        reviews: [review("bob", "DISMISSED", 1), review("carol", "APPROVED", 2), review("bob", "APPROVED", 3)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "a dismissed changes-requested no longer blocks",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("dave", "DISMISSED", 3)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "a reviewer who approved twice counts once",
        reviews: [review("bob", "APPROVED", 1), review("bob", "APPROVED", 4)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "a reviewer who approved twice counts once, whatever the case of the login",
        reviews: [review("bob", "APPROVED", 1), review("BOB", "APPROVED", 4)],
        expected: { approvers: ["BOB"] },
        outcome: "fail",
      },
      {
        name: "the author's own approval does not count",
        reviews: [review("bob", "APPROVED", 1), review("alice", "APPROVED", 2)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "the author's own approval does not count, whatever the case of the login",
        reviews: [review("bob", "APPROVED", 1), review("Alice", "APPROVED", 2)],
        prAuthor: "ALICE",
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "an approval by someone without write access does not count",
        reviews: [review("bob", "APPROVED", 1), { ...review("outsider", "APPROVED", 2), authorCanPush: false }],
        expected: { approvers: ["bob"], withoutWriteAccess: ["outsider"] },
        outcome: "fail",
      },
      {
        name: "changes requested by someone without write access do not block",
        reviews: [
          review("bob", "APPROVED", 1),
          review("carol", "APPROVED", 2),
          { ...review("drive-by", "CHANGES_REQUESTED", 3), authorCanPush: false },
        ],
        expected: { approvers: ["bob", "carol"], withoutWriteAccess: ["drive-by"] },
        outcome: "pass",
      },
      {
        name: "a deleted (ghost) reviewer does not count",
        reviews: [review("bob", "APPROVED", 1), review(null, "APPROVED", 2)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "a pending review neither approves nor blocks",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("dave", "PENDING", 3)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "a comment-only review is not an approval",
        reviews: [review("bob", "APPROVED", 1), review("carol", "COMMENTED", 2)],
        expected: { approvers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "when the PR author's account was deleted, every human approval counts",
        reviews: [review("bob", "APPROVED", 1), review("carol", "APPROVED", 2)],
        prAuthor: null,
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
      {
        name: "reviews given out of submittedAt order are read by time: an approval after changes-requested wins",
        reviews: [review("bob", "APPROVED", 30), review("carol", "APPROVED", 2), review("bob", "CHANGES_REQUESTED", 10)],
        expected: { approvers: ["carol", "bob"] },
        outcome: "pass",
      },
      {
        name: "reviews given out of submittedAt order are read by time: changes-requested after an approval wins",
        reviews: [review("bob", "CHANGES_REQUESTED", 30), review("carol", "APPROVED", 2), review("bob", "APPROVED", 10)],
        expected: { approvers: ["carol"], blockers: ["bob"] },
        outcome: "fail",
      },
      {
        name: "reviews given out of submittedAt order are read by time: an approval on the head commit after an older one counts",
        reviews: [review("bob", "APPROVED", 20), review("bob", "APPROVED", 5, OLDER), review("carol", "APPROVED", 1)],
        expected: { approvers: ["bob", "carol"] },
        outcome: "pass",
      },
    ];

    it.each(cases)("$name", ({ reviews, countStale = false, prAuthor = "alice", expected, outcome }) => {
      const result = countQualifyingApprovals(reviews, prAuthor, HEAD, countStale);
      expect({ ...result, approvers: [...result.approvers].sort() }).toEqual(
        tally({ ...expected, approvers: [...(expected.approvers ?? [])].sort() }),
      );

      const pr = snapshot(reviews, { author: prAuthor === null ? null : human(prAuthor) });
      expect(evaluateReviews(pr, reviewsConfig({ count_stale_approvals: countStale })).outcome).toBe(outcome);
    });

    it("the result does not depend on the order GitHub lists the reviews in", () => {
      const inTimeOrder = [
        review("bob", "APPROVED", 1),
        review("carol", "CHANGES_REQUESTED", 2),
        review("dave", "APPROVED", 3, OLDER),
        review("carol", "APPROVED", 4),
        review("bob", "CHANGES_REQUESTED", 5),
        review("erin", "APPROVED", 6),
        review("bob", "COMMENTED", 7),
      ];
      const expected = countQualifyingApprovals(inTimeOrder, "alice", HEAD, false);
      expect(expected).toEqual({
        approvers: ["carol", "erin"],
        blockers: ["bob"],
        staleApprovers: ["dave"],
        withoutWriteAccess: [],
        notIndependent: [],
        unmatchedCoAuthors: [],
      });
      for (const shuffled of [
        [...inTimeOrder].reverse(),
        [inTimeOrder[3]!, inTimeOrder[6]!, inTimeOrder[0]!, inTimeOrder[5]!, inTimeOrder[1]!, inTimeOrder[4]!, inTimeOrder[2]!],
      ]) {
        const result = countQualifyingApprovals(shuffled, "alice", HEAD, false);
        expect({ ...result, approvers: [...result.approvers].sort() }).toEqual(expected);
      }
    });

    it("a review without a submission time is read as the earliest, whatever its position", () => {
      const undated: Review = { author: human("bob"), state: "APPROVED", commitSha: HEAD, submittedAt: null, authorCanPush: true };
      const later = review("bob", "CHANGES_REQUESTED", 5);
      for (const reviews of [
        [undated, later],
        [later, undated],
        [later, undated, { ...undated, author: human("carol") }],
      ]) {
        const result = countQualifyingApprovals(reviews, "alice", HEAD, false);
        expect(result.blockers).toEqual(["bob"]);
        expect(result.approvers).not.toContain("bob");
      }
    });

    it("does not reorder the caller's review list", () => {
      const reviews = [review("bob", "APPROVED", 9), review("carol", "APPROVED", 1)];
      const before = [...reviews];
      countQualifyingApprovals(reviews, "alice", HEAD, false);
      expect(reviews).toEqual(before);
    });

    it("a login ending in [bot] is read as a bot even when GitHub types it as a User", () => {
      const actor = toActor({ __typename: "User", login: "sneaky[bot]" } as Parameters<typeof toActor>[0]);
      expect(actor).toEqual({ login: "sneaky[bot]", isBot: true });
      expect(countQualifyingApprovals([review(actor, "APPROVED", 1)], "alice", HEAD, false).approvers).toEqual([]);
    });
  });

  describe("the finding (evaluateReviews)", () => {
    it("two approvals on the head commit pass, naming the approvers and the commit", () => {
      const result = evaluateReviews(snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2)]), reviewsConfig());
      expect(result).toEqual({
        outcome: "pass",
        reason: "2 of 2 required approvals on `c0ffee1` (bob, carol).",
        fix: "",
        notes: undefined,
      });
    });

    it("min_approvals 1 passes with one approval", () => {
      const result = evaluateReviews(snapshot([review("bob", "APPROVED", 1)]), reviewsConfig({ min_approvals: 1 }));
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("1 of 1 required approvals on `c0ffee1` (bob).");
      expect(result.fix).toBe("");
    });

    it("min_approvals 3 fails with two approvals, asking for one more", () => {
      const result = evaluateReviews(
        snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2)]),
        reviewsConfig({ min_approvals: 3 }),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("2 of 3 required approvals on `c0ffee1` (bob, carol).");
      expect(result.fix).toBe(
        "Get 1 more approval(s) from human reviewers other than the author or anyone else who wrote the change, on the latest commit.",
      );
    });

    it("a PR without reviews fails, asking for two approvals", () => {
      const result = evaluateReviews(snapshot([]), reviewsConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("0 of 2 required approvals on `c0ffee1`.");
      expect(result.fix).toMatch(/^Get 2 more approval\(s\) from human reviewers other than the author/);
    });

    it("a PR approved only by its author and a bot fails with 0 approvals counted", () => {
      const result = evaluateReviews(
        snapshot([review("alice", "APPROVED", 1), review({ login: "dependabot[bot]", isBot: true }, "APPROVED", 2)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("0 of 2 required approvals on `c0ffee1`.");
      expect(result.reason).not.toContain("alice");
      expect(result.reason).not.toContain("dependabot");
    });

    it("a standing CHANGES_REQUESTED blocks even with enough approvals", () => {
      const result = evaluateReviews(
        snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("dave", "CHANGES_REQUESTED", 3)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Changes requested by dave; 2 of 2 required approvals on `c0ffee1` (bob, carol).");
      expect(result.fix).toBe("Address the requested changes and ask the reviewer to approve (or have the review dismissed).");
    });

    it("a standing CHANGES_REQUESTED on an older commit still blocks", () => {
      const result = evaluateReviews(
        snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("dave", "CHANGES_REQUESTED", 3, OLDER)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toMatch(/^Changes requested by dave;/);
    });

    it("every blocking reviewer is named", () => {
      const result = evaluateReviews(
        snapshot([review("dave", "CHANGES_REQUESTED", 1), review("erin", "CHANGES_REQUESTED", 2)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Changes requested by dave, erin; 0 of 2 required approvals on `c0ffee1`.");
    });

    it("an approval on an older commit does not count, and the note says whose", () => {
      const result = evaluateReviews(snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, OLDER)]), reviewsConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("1 of 2 required approvals on `c0ffee1` (bob).");
      expect(result.fix).toMatch(/^Get 1 more approval\(s\).*on the latest commit\.$/);
      expect(result.notes).toEqual(["Approvals on an older commit do not count: carol."]);
    });

    it("an approval on an older commit counts when count_stale_approvals is true, without a stale note", () => {
      const result = evaluateReviews(
        snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2, OLDER)]),
        reviewsConfig({ count_stale_approvals: true }),
      );
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("2 of 2 required approvals on `c0ffee1` (bob, carol).");
      expect(result.notes).toBeUndefined();
    });

    it("stale approvals are noted even when the PR passes on other approvals", () => {
      const result = evaluateReviews(
        snapshot([review("bob", "APPROVED", 1), review("carol", "APPROVED", 2), review("dave", "APPROVED", 3, OLDER)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("pass");
      expect(result.notes).toEqual(["Approvals on an older commit do not count: dave."]);
    });

    it("stale approvals are noted when changes are requested", () => {
      const result = evaluateReviews(
        snapshot([review("dave", "APPROVED", 3, OLDER), review("erin", "CHANGES_REQUESTED", 4)]),
        reviewsConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toMatch(/^Changes requested by erin;/);
      expect(result.notes).toEqual(["Approvals on an older commit do not count: dave."]);
    });

    it("reviews that could not be read fail the control (never pass)", () => {
      const result = evaluateReviews(
        snapshot([], { reviews: unavailable("GitHub answered 502 Bad Gateway") }),
        reviewsConfig({ min_approvals: 1 }),
      );
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe("Could not read the pull request's reviews: GitHub answered 502 Bad Gateway");
      expect(result.fix).toMatch(/Re-run/);
      expect(result.fix).toMatch(/fails until it can be evaluated/);
    });
  });
});

import { configSchema, defaultConfig, type BranchProtectionConfig } from "../../src/config/schema.js";
import { combineProtection, evaluateBranchProtection, type EffectiveProtection } from "../../src/controls/branch-protection.js";
import { fetched, unavailable, type Fetched } from "../../src/facts/fetched.js";
import { type ClassicProtection, type PullRequestSnapshot, type RulesetRule } from "../../src/facts/pull-request.js";
import { inlineCode } from "../../src/common/markdown.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

/**
 * Classic protection that satisfies POL-008 (2 approvals, no force push, no deletion) and cannot be walked around
 * (`sdlc-guard` of this app required, administrators included, no bypass allowance) unless overridden.
 */
const classic = (overrides: Partial<ClassicProtection> = {}): ClassicProtection => ({
  pattern: "main",
  requiresApprovingReviews: true,
  requiredApprovingReviewCount: 2,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: false,
  isAdminEnforced: true,
  requiredStatusCheckContexts: ["sdlc-guard"],
  guardCheckSources: ["this-app"],
  bypass: { pullRequest: [], forcePush: [] },
  ...overrides,
});

/** A rule of a ruleset that no one may bypass (one ruleset per source). */
const rule = (type: string, extra: Partial<RulesetRule> = {}, rulesetSource = "acme/payments"): RulesetRule => ({
  type,
  rulesetSource,
  bypass: { rulesetId: rulesetSource, rulesetName: "main rules", actors: [] },
  ...extra,
});

/** `sdlc-guard` required from this app. */
const guardRule = (source = "acme/payments") =>
  rule("required_status_checks", { requiredStatusChecks: ["sdlc-guard"], guardCheckSources: ["this-app"] }, source);

/** A ruleset that satisfies POL-008 on its own, and requires `sdlc-guard` of this app. */
const compliantRuleset = (source = "acme/payments"): RulesetRule[] => [
  rule("pull_request", { requiredApprovingReviewCount: 2, dismissesStaleReviews: false }, source),
  rule("non_fast_forward", {}, source),
  rule("deletion", {}, source),
  guardRule(source),
];

function snapshot(protection: {
  classic?: Fetched<ClassicProtection | null>;
  rules?: Fetched<RulesetRule[]>;
  baseRefName?: string;
}): PullRequestSnapshot {
  return pullRequestSnapshot({
    baseRefName: protection.baseRefName ?? "main",
    classicProtection: protection.classic ?? fetched(null),
    rulesetRules: protection.rules ?? fetched([]),
  });
}

const bpConfig = (settings: Record<string, unknown> = {}): BranchProtectionConfig =>
  configSchema.parse({ controls: { "branch-protection": settings } }).controls["branch-protection"];

const GUARD_NOTES = ["`sdlc-guard` is a required status check, from this app only", "no one may bypass the rules"];
const DEFAULT_NOTES = ["stale reviews are not dismissed on push", "administrators are included", ...GUARD_NOTES];
/** Without a classic rule there is nothing to say about administrators (a ruleset names who may bypass it). */
const RULESET_NOTES = ["stale reviews are not dismissed on push", ...GUARD_NOTES];

describe("branch-protection: the base branch requires a PR with >= 2 approvals and blocks force pushes and deletion", () => {
  it("the default policy needs two approvals", () => {
    expect(defaultConfig.controls["branch-protection"]).toEqual({
      enforcement: "required",
      min_approvals: 2,
      allowed_bypass: [],
      unreadable_bypass: "fail",
    });
  });

  describe("the finding (evaluateBranchProtection)", () => {
    it("an unprotected base branch fails", () => {
      const result = evaluateBranchProtection(snapshot({}), bpConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Base branch `main` is not protected (no branch protection rule, no ruleset).");
      expect(result.fix).toBe(
        "Protect `main` with a ruleset (or classic rule) that requires a pull request with 2 approvals and blocks force pushes and deletion.",
      );
    });

    it("classic protection with 2 approvals, no force push, no deletion passes", () => {
      const result = evaluateBranchProtection(snapshot({ classic: fetched(classic()) }), bpConfig());
      expect(result).toEqual({
        outcome: "pass",
        reason: "Base branch `main` is protected by classic rule `main`: 2 approvals, force pushes and deletion blocked.",
        fix: "",
        notes: DEFAULT_NOTES,
      });
    });

    it("classic protection with more approvals than needed passes", () => {
      const result = evaluateBranchProtection(snapshot({ classic: fetched(classic({ requiredApprovingReviewCount: 3 })) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.reason).toContain(": 3 approvals, force pushes and deletion blocked.");
    });

    interface GapCase {
      name: string;
      protection: Partial<ClassicProtection>;
      gap: string;
    }
    const gaps: GapCase[] = [
      {
        name: "classic protection with 1 approval fails, naming the gap",
        protection: { requiredApprovingReviewCount: 1 },
        gap: "requires 1 approval(s), policy needs 2",
      },
      {
        name: "classic protection that does not require reviews counts as 0 approvals",
        protection: { requiresApprovingReviews: false, requiredApprovingReviewCount: 2 },
        gap: "requires 0 approval(s), policy needs 2",
      },
      { name: "classic protection allowing force pushes fails", protection: { allowsForcePushes: true }, gap: "allows force pushes" },
      { name: "classic protection allowing deletion fails", protection: { allowsDeletions: true }, gap: "allows deletion" },
      {
        name: "classic protection with every gap lists them all",
        protection: { requiresApprovingReviews: false, allowsForcePushes: true, allowsDeletions: true },
        gap: "requires 0 approval(s), policy needs 2, allows force pushes, allows deletion",
      },
    ];

    it.each(gaps)("$name", ({ protection, gap }) => {
      const result = evaluateBranchProtection(snapshot({ classic: fetched(classic(protection)) }), bpConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(`Base branch \`main\` is protected by classic rule \`main\` but ${gap}.`);
      expect(result.fix).toBe(
        "Edit the protection of `main`: require a pull request with 2 approvals, block force pushes and block deletion.",
      );
      expect(result.notes).toEqual(DEFAULT_NOTES);
    });

    it("min_approvals is configurable: 1 approval passes when the policy needs 1", () => {
      const result = evaluateBranchProtection(
        snapshot({ classic: fetched(classic({ requiredApprovingReviewCount: 1 })) }),
        bpConfig({ min_approvals: 1 }),
      );
      expect(result.outcome).toBe("pass");
      expect(result.reason).toContain(": 1 approvals");
    });

    it("min_approvals is configurable: 2 approvals fail when the policy needs 3", () => {
      const result = evaluateBranchProtection(snapshot({ classic: fetched(classic()) }), bpConfig({ min_approvals: 3 }));
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("requires 2 approval(s), policy needs 3");
      expect(result.fix).toContain("require a pull request with 3 approvals");
    });

    it("rulesets satisfy branch protection", () => {
      const result = evaluateBranchProtection(snapshot({ classic: fetched(null), rules: fetched(compliantRuleset()) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe(
        "Base branch `main` is protected by ruleset `acme/payments`: 2 approvals, force pushes and deletion blocked.",
      );
      expect(result.notes).toEqual(RULESET_NOTES);
    });

    it("an organisation ruleset together with a repository ruleset satisfy branch protection, both named", () => {
      const rules = [
        rule("pull_request", { requiredApprovingReviewCount: 2 }, "acme"),
        rule("non_fast_forward", {}, "acme/payments"),
        rule("deletion", {}, "acme/payments"),
        guardRule("acme"),
      ];
      const result = evaluateBranchProtection(snapshot({ rules: fetched(rules) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.reason).toContain("protected by ruleset `acme` and ruleset `acme/payments`:");
    });

    it.each([
      [
        "a ruleset without a pull_request rule fails on approvals",
        ["non_fast_forward", "deletion"],
        "requires 0 approval(s), policy needs 2",
      ],
      ["a ruleset without non_fast_forward fails on force pushes", ["pull_request", "deletion"], "allows force pushes"],
      ["a ruleset without a deletion rule fails on deletion", ["pull_request", "non_fast_forward"], "allows deletion"],
      [
        "a ruleset with unrelated rules only is a protection with every gap",
        ["required_signatures", "required_linear_history"],
        "requires 0 approval(s), policy needs 2, allows force pushes, allows deletion",
      ],
    ])("%s", (_name, types, gap) => {
      const rules = [...types.map((type) => rule(type, type === "pull_request" ? { requiredApprovingReviewCount: 2 } : {})), guardRule()];
      const result = evaluateBranchProtection(snapshot({ rules: fetched(rules) }), bpConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(`Base branch \`main\` is protected by ruleset \`acme/payments\` but ${gap}.`);
    });

    it("a ruleset pull_request rule without a review count requires 0 approvals", () => {
      const rules = [rule("pull_request"), rule("non_fast_forward"), rule("deletion")];
      const result = evaluateBranchProtection(snapshot({ rules: fetched(rules) }), bpConfig());
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("requires 0 approval(s), policy needs 2");
    });

    it("classic protection and a ruleset combine: the strictest setting of each wins", () => {
      const weakClassic = classic({ requiredApprovingReviewCount: 1, allowsForcePushes: true, allowsDeletions: true });
      const result = evaluateBranchProtection(snapshot({ classic: fetched(weakClassic), rules: fetched(compliantRuleset()) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe(
        "Base branch `main` is protected by classic rule `main` and ruleset `acme/payments`: 2 approvals, force pushes and deletion blocked.",
      );
    });

    it("a weak ruleset does not weaken compliant classic protection", () => {
      const rules = [rule("pull_request", { requiredApprovingReviewCount: 0 })];
      const result = evaluateBranchProtection(snapshot({ classic: fetched(classic()), rules: fetched(rules) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.reason).toContain(": 2 approvals, force pushes and deletion blocked.");
    });

    it("combined protection still fails on what neither blocks", () => {
      const rules = [rule("pull_request", { requiredApprovingReviewCount: 2 }), rule("deletion")];
      const result = evaluateBranchProtection(
        snapshot({ classic: fetched(classic({ allowsForcePushes: true })), rules: fetched(rules) }),
        bpConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(
        "Base branch `main` is protected by classic rule `main` and ruleset `acme/payments` but allows force pushes.",
      );
    });

    it("stricter settings are reported as notes: stale reviews dismissed, administrators included, sdlc-guard required", () => {
      const strict = classic({ dismissesStaleReviews: true, isAdminEnforced: true, requiredStatusCheckContexts: ["build", "sdlc-guard"] });
      const result = evaluateBranchProtection(snapshot({ classic: fetched(strict) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.notes).toEqual(["stale reviews are dismissed on push", "administrators are included", ...GUARD_NOTES]);
    });

    it("stricter settings from rulesets are reported as notes", () => {
      const rules = [
        rule("pull_request", { requiredApprovingReviewCount: 2, dismissesStaleReviews: true }),
        rule("non_fast_forward"),
        rule("deletion"),
        guardRule(),
      ];
      const result = evaluateBranchProtection(snapshot({ rules: fetched(rules) }), bpConfig());
      expect(result.outcome).toBe("pass");
      expect(result.notes).toEqual(["stale reviews are dismissed on push", ...GUARD_NOTES]);
    });

    it("a required check with another name does not count as sdlc-guard being required: the control fails", () => {
      const result = evaluateBranchProtection(
        snapshot({ classic: fetched(classic({ requiredStatusCheckContexts: ["sdlc-guard-legacy", "ci"], guardCheckSources: [] })) }),
        bpConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("does not require `sdlc-guard` as a status check");
    });

    it("notes are reported on failures too", () => {
      const result = evaluateBranchProtection(
        snapshot({ classic: fetched(classic({ allowsForcePushes: true, isAdminEnforced: true })) }),
        bpConfig(),
      );
      expect(result.outcome).toBe("fail");
      expect(result.notes).toContain("administrators are included");
    });

    it("classic protection that could not be read is an error, never a pass", () => {
      const result = evaluateBranchProtection(
        snapshot({ classic: unavailable("GitHub answered 502 Bad Gateway"), rules: fetched(compliantRuleset()) }),
        bpConfig(),
      );
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe("Could not read the base branch's classic protection: GitHub answered 502 Bad Gateway");
      expect(result.fix).toMatch(/Re-run/);
    });

    it("rules that could not be read are an error, never a pass", () => {
      const result = evaluateBranchProtection(
        snapshot({ classic: fetched(classic()), rules: unavailable("GitHub answered 403: Resource not accessible by integration") }),
        bpConfig(),
      );
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe(
        "Could not read the rulesets of the base branch: GitHub answered 403: Resource not accessible by integration",
      );
      expect(result.fix).toMatch(/fails until it can be evaluated/);
    });

    describe("user-controlled names stay inside their code spans", () => {
      it.each([
        ["backticks", "release/`v1`", "`` release/`v1` ``"],
        ["a pipe and a backtick", "feat`|x", "``feat`|x``"],
        ["a run of backticks", "a``b", "```a``b```"],
        ["a leading backtick", "`main", "`` `main ``"],
        ["a line break", "main\n## Heading", "`main ## Heading`"],
      ])("a branch name with %s", (_what, branch, rendered) => {
        expect(inlineCode(branch)).toBe(rendered);
        const unprotected = evaluateBranchProtection(snapshot({ baseRefName: branch }), bpConfig());
        const protectedOk = evaluateBranchProtection(
          snapshot({ baseRefName: branch, classic: fetched(classic({ pattern: branch })) }),
          bpConfig(),
        );
        const withGap = evaluateBranchProtection(
          snapshot({ baseRefName: branch, classic: fetched(classic({ pattern: branch, allowsDeletions: true })) }),
          bpConfig(),
        );
        expect([unprotected.outcome, protectedOk.outcome, withGap.outcome]).toEqual(["fail", "pass", "fail"]);
        expect(unprotected.reason).toBe(`Base branch ${rendered} is not protected (no branch protection rule, no ruleset).`);
        expect(unprotected.fix).toContain(`Protect ${rendered} with a ruleset`);
        expect(protectedOk.reason).toBe(
          `Base branch ${rendered} is protected by classic rule ${rendered}: 2 approvals, force pushes and deletion blocked.`,
        );
        expect(withGap.reason).toBe(`Base branch ${rendered} is protected by classic rule ${rendered} but allows deletion.`);
        expect(withGap.fix).toContain(`Edit the protection of ${rendered}:`);
        for (const text of [unprotected.reason, unprotected.fix, protectedOk.reason, withGap.reason, withGap.fix]) {
          expect(text).not.toContain("\n");
        }
      });

      it("a classic rule pattern and a ruleset source are rendered as code spans", () => {
        const result = evaluateBranchProtection(
          snapshot({ classic: fetched(classic({ pattern: "rel`*`" })), rules: fetched([rule("deletion", {}, "ev`il|org")]) }),
          bpConfig(),
        );
        expect(result.reason).toContain("by classic rule `` rel`*` `` and ruleset ``ev`il|org``");
      });
    });
  });

  describe("combining classic protection and rulesets (combineProtection)", () => {
    const none: EffectiveProtection = {
      requiredApprovals: 0,
      forcePushBlocked: false,
      deletionBlocked: false,
      dismissesStaleReviews: false,
      requiredChecks: [],
      adminsIncluded: undefined,
      sources: [],
    };

    it("no classic protection and no ruleset protect nothing", () => {
      expect(combineProtection(null, [])).toEqual(none);
    });

    it("classic protection alone is read as it is", () => {
      const c = classic({
        requiredApprovingReviewCount: 3,
        dismissesStaleReviews: true,
        isAdminEnforced: true,
        requiredStatusCheckContexts: ["ci"],
      });
      expect(combineProtection(c, [])).toEqual({
        requiredApprovals: 3,
        forcePushBlocked: true,
        deletionBlocked: true,
        dismissesStaleReviews: true,
        requiredChecks: ["ci"],
        adminsIncluded: true,
        sources: ["classic rule `main`"],
      });
    });

    it("the highest approval count wins, from either side", () => {
      expect(
        combineProtection(classic({ requiredApprovingReviewCount: 3 }), [rule("pull_request", { requiredApprovingReviewCount: 2 })])
          .requiredApprovals,
      ).toBe(3);
      expect(
        combineProtection(classic({ requiredApprovingReviewCount: 1 }), [rule("pull_request", { requiredApprovingReviewCount: 4 })])
          .requiredApprovals,
      ).toBe(4);
      expect(
        combineProtection(null, [
          rule("pull_request", { requiredApprovingReviewCount: 1 }, "acme"),
          rule("pull_request", { requiredApprovingReviewCount: 2 }),
        ]).requiredApprovals,
      ).toBe(2);
    });

    it("force pushes and deletion are blocked when any source blocks them", () => {
      const open = classic({ allowsForcePushes: true, allowsDeletions: true });
      expect(combineProtection(open, [])).toMatchObject({ forcePushBlocked: false, deletionBlocked: false });
      expect(combineProtection(open, [rule("non_fast_forward"), rule("deletion")])).toMatchObject({
        forcePushBlocked: true,
        deletionBlocked: true,
      });
    });

    it("stale-review dismissal is on when any source turns it on", () => {
      expect(
        combineProtection(classic({ dismissesStaleReviews: true }), [rule("pull_request", { dismissesStaleReviews: false })])
          .dismissesStaleReviews,
      ).toBe(true);
      expect(combineProtection(classic(), [rule("pull_request", { dismissesStaleReviews: true })]).dismissesStaleReviews).toBe(true);
      expect(combineProtection(classic(), [rule("pull_request")]).dismissesStaleReviews).toBe(false);
    });

    it("required status checks of every source are gathered", () => {
      const combined = combineProtection(classic({ requiredStatusCheckContexts: ["ci"] }), [
        rule("required_status_checks", { requiredStatusChecks: ["sdlc-guard", "sast"] }),
        rule("required_status_checks"),
      ]);
      expect(combined.requiredChecks).toEqual(["ci", "sdlc-guard", "sast"]);
    });

    it("each ruleset is named once however many of its rules apply", () => {
      expect(combineProtection(classic(), [...compliantRuleset(), ...compliantRuleset("acme")]).sources).toEqual([
        "classic rule `main`",
        "ruleset `acme/payments`",
        "ruleset `acme`",
      ]);
    });
  });
});

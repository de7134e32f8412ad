import { rulesPreviewLines } from "../../src/report/rules-preview-output.js";

const edits = [{ name: "infra needs 3 approvals", list: "rules" as const, edit: "added" as const }];

describe("the rules part of the policy-change section", () => {
  it("past the open PRs looked at, says how many were not; past the re-judging bound, how many were not re-judged", () => {
    const lines = rulesPreviewLines({
      edits,
      open: {
        status: "read",
        looked: 50,
        total: 64,
        flips: [{ number: 12, title: "Fix `login` | now", flip: "would pass" }],
        unjudged: [{ number: 13, title: "Move infra", why: "GitHub answered 502" }],
        notRejudged: 3,
      },
    });
    expect(lines).toEqual([
      "",
      "**Rules changed**: rule `infra needs 3 approvals` added.",
      "Merged, it would change the verdict of these among the 50 most recently updated of the 64 other open pull requests (the 14 others were not looked at):",
      "",
      "- #12 ``Fix `login` | now`` would pass",
      "- #13 `Move infra` could not be re-judged (GitHub answered 502): its verdict is not known",
      "- … and 3 more PRs match different rules: not re-judged",
    ]);
  });

  it("unreadable open PRs: the verdicts are not known, never none", () => {
    const lines = rulesPreviewLines({ edits, open: { status: "unreadable", reason: "HTTP 403" } }).join("\n");
    expect(lines).toContain("could not be read (HTTP 403): which verdicts this change would flip is **not known**");
    expect(lines).not.toContain("none");
  });

  it("a change of the org file says only this repository's open PRs were looked at", () => {
    const lines = rulesPreviewLines(
      { edits, open: { status: "read", looked: 0, total: 0, flips: [], unjudged: [], notRejudged: 0 } },
      true,
    );
    expect(lines[1]).toBe(
      "**Rules changed**: rule `infra needs 3 approvals` added. Only the open pull requests of this repository are looked at, not those of the org's other repositories.",
    );
    expect(lines[2]).toBe("Merged, it would flip the verdict of none of the 0 other open pull requests.");
  });
});

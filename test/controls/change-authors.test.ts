import { changeAuthorsOf, changeAuthorsUnreadable, coAuthorTrailers, loginOfNoreplyEmail } from "../../src/controls/change-authors.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type PullRequestCommit } from "../../src/facts/pull-request.js";

const HEAD = "abc1234def5678900000000000000000000000000";
const someone = (login: string | null, email = `${login ?? "nobody"}@acme.example`) => ({ name: login, email, login });
const commit = (overrides: Partial<PullRequestCommit> = {}): PullRequestCommit => ({
  sha: HEAD,
  message: "PAY-1: change",
  parents: 1,
  authors: [someone("alice")],
  committer: someone("alice"),
  ...overrides,
});

describe("who wrote the change (independent approvers)", () => {
  it.each([
    ["12345+rev-bob@users.noreply.github.com", "rev-bob"],
    ["rev-bob@users.noreply.github.com", "rev-bob"],
    ["REV-BOB@Users.Noreply.GitHub.com", "REV-BOB"],
    ["rev-bob@example.com", null],
    ["rev-bob@users.noreply.github.com.evil.example", null],
    ["x+rev-bob@users.noreply.github.com", null],
  ])("the noreply address %s is the account %s", (email, login) => {
    expect(loginOfNoreplyEmail(email)).toBe(login);
  });

  it("co-author trailers are read case-insensitively, one per line", () => {
    expect(
      coAuthorTrailers("Fix\n\nCo-authored-by: Bob B <bob@acme.example>\nco-authored-by:Carol <c@acme.example>\nSigned-off-by: Dan <d@x>"),
    ).toEqual([
      { name: "Bob B", email: "bob@acme.example" },
      { name: "Carol", email: "c@acme.example" },
    ]);
  });

  it.each<[string, PullRequestCommit, string, string[]]>([
    ["the author", commit({ authors: [someone("rev-bob")] }), "rev-bob", ["authored `abc1234`"]],
    ["the committer", commit({ committer: someone("rev-bob") }), "rev-bob", ["committed `abc1234`"]],
    [
      "a co-author GitHub linked",
      commit({ message: "x\n\nCo-authored-by: B <b@acme.example>", authors: [someone("alice"), someone("rev-bob", "b@acme.example")] }),
      "rev-bob",
      ["co-authored `abc1234`"],
    ],
    [
      "a co-author by noreply address",
      commit({
        message: "x\n\nCo-authored-by: B <9+rev-bob@users.noreply.github.com>",
        authors: [someone("alice"), someone(null, "9+rev-bob@users.noreply.github.com")],
      }),
      "rev-bob",
      ["co-authored `abc1234`"],
    ],
  ])("%s wrote the change", (_who, c, login, what) => {
    expect(changeAuthorsOf([c], HEAD).byLogin.get(login)).toEqual(what);
  });

  it("GitHub's web-flow committer is not a person", () => {
    expect([...changeAuthorsOf([commit({ committer: someone("web-flow", "noreply@github.com") })], HEAD).byLogin.keys()]).toEqual([
      "alice",
    ]);
  });

  it("whoever force-pushed the head wrote it; a force push of an older head does not name the current one", () => {
    expect(
      changeAuthorsOf([commit()], HEAD, [{ at: "2026-11-20T09:00:00Z", actor: "rev-bob", afterSha: HEAD }]).byLogin.get("rev-bob"),
    ).toEqual(["force-pushed `abc1234`"]);
    expect(
      changeAuthorsOf([commit()], HEAD, [{ at: "2026-11-20T09:00:00Z", actor: "rev-bob", afterSha: "0000000" }]).byLogin.has("rev-bob"),
    ).toBe(false);
  });

  it("a co-author linked to no account is listed as unmatched, escaped for a code span", () => {
    expect(changeAuthorsOf([commit({ message: "x\n\nCo-authored-by: M`al <m@elsewhere.example>" })], HEAD).unmatched).toEqual([
      "``M`al <m@elsewhere.example>`` (co-author of `abc1234`)",
    ]);
  });

  it.each([
    ["commits not read", undefined, "not read"],
    ["commits unreadable", unavailable<PullRequestCommit[]>("more than 300 commits"), "more than 300 commits"],
    [
      "a commit with more authors than GitHub listed",
      fetched([commit({ authors: null })]),
      "GitHub did not list every author of `abc1234`",
    ],
  ])("%s: who wrote the change is unknown", (_case, commits, why) => {
    expect(changeAuthorsUnreadable(commits, fetched([]))).toBe(why);
  });
});

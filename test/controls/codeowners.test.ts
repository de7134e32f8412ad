import {
  evaluateCodeOwners,
  matchesCodeOwnersPattern,
  MAX_PATTERN_LENGTH,
  parseCodeOwners,
  ruleFor,
  teamsToResolve,
  type CodeOwnersInput,
} from "../../src/controls/codeowners.js";
import { fetched, unavailable, type Fetched } from "../../src/facts/fetched.js";
import { type CodeOwnersFile } from "../../src/facts/pull-request.js";

const PATH = ".github/CODEOWNERS";

const CODEOWNERS = [
  "# Default owners",
  "*                  @acme/platform",
  "src/pay/           @acme/payments   # money moves here",
  "docs/*             @Carol",
  "*.md               docs@acme.example",
  "/src/generated/",
].join("\n");

const codeOwnersFile = (text: string = CODEOWNERS, path = PATH): CodeOwnersFile => ({ path, text });

const members = (...logins: string[]): Fetched<ReadonlySet<string>> => fetched(new Set(logins));

function input(overrides: Partial<CodeOwnersInput> = {}): CodeOwnersInput {
  return {
    codeOwners: fetched(codeOwnersFile()),
    changedFiles: fetched(["src/pay/api.ts"]),
    approvers: [],
    teams: new Map([
      ["acme/payments", members("pat", "paula")],
      ["acme/platform", members("plato")],
    ]),
    ...overrides,
  };
}

describe("code owners: every changed file's owners approved", () => {
  describe("who must approve", () => {
    it("a file owned by @acme/payments needs a payments approval", () => {
      const withoutPayments = evaluateCodeOwners(input({ approvers: ["plato"] }));
      expect(withoutPayments.outcome).toBe("fail");
      expect(withoutPayments.reason).toBe(
        "Per `.github/CODEOWNERS`, 1 of 1 changed file with owners lacks an approval from one of their owners: `src/pay/api.ts` (owners: @\u200Bacme/payments).",
      );
      expect(withoutPayments.fix).toBe("Get an approval on the latest commit from one of the owners of each listed file.");

      const withPayments = evaluateCodeOwners(input({ approvers: ["Paula"] }));
      expect(withPayments.outcome).toBe("pass");
      expect(withPayments.reason).toBe("Code owners in `.github/CODEOWNERS` approved the only changed file with owners.");
    });

    it("a user owner approves by login, whatever its case", () => {
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(["docs/guide.txt"]), approvers: ["CAROL"] }));
      expect(finding.outcome).toBe("pass");
    });

    it("each changed file needs its own owners: one owner's approval does not cover another owner's file", () => {
      const finding = evaluateCodeOwners(
        input({ changedFiles: fetched(["src/pay/api.ts", "src/app.ts", "docs/guide.txt"]), approvers: ["pat"] }),
      );
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toBe(
        "Per `.github/CODEOWNERS`, 2 of 3 changed files with owners lack an approval from one of their owners: `src/app.ts` (owners: @\u200Bacme/platform), `docs/guide.txt` (owners: @\u200Bcarol).",
      );
    });

    it("counts files with and without owners when every owner approved", () => {
      const finding = evaluateCodeOwners(
        input({
          changedFiles: fetched(["src/pay/api.ts", "src/app.ts", "src/generated/a.ts", "src/generated/b.ts"]),
          approvers: ["pat", "plato"],
        }),
      );
      expect(finding).toEqual({
        outcome: "pass",
        reason: "Code owners in `.github/CODEOWNERS` approved all 2 changed files with owners (2 files have no owner).",
        fix: "",
        notes: undefined,
      });
    });

    it("the last matching pattern wins", () => {
      // src/pay/api.ts matches `*` too, but the later `src/pay/` line decides: a platform approval is not enough.
      const finding = evaluateCodeOwners(input({ approvers: ["plato"] }));
      expect(finding.outcome).toBe("fail");
      expect(ruleFor(parseCodeOwners(CODEOWNERS), "src/pay/api.ts")).toEqual({ line: 3, pattern: "src/pay/", owners: ["acme/payments"] });
      const reversed = parseCodeOwners("src/pay/ @acme/payments\n* @acme/platform");
      expect(ruleFor(reversed, "src/pay/api.ts")?.owners).toEqual(["acme/platform"]);
    });

    it("a pattern with no owners clears ownership", () => {
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(["src/generated/client.ts"]) }));
      expect(finding.outcome).toBe("pass");
      expect(finding.reason).toBe("The only changed file has no owner in `.github/CODEOWNERS`, so no code owner approval is needed.");
      expect(ruleFor(parseCodeOwners(CODEOWNERS), "src/generated/client.ts")).toEqual({ line: 6, pattern: "/src/generated/", owners: [] });
    });

    it("a file that no pattern matches has no owner", () => {
      const parsed = parseCodeOwners("docs/ @carol");
      expect(ruleFor(parsed, "src/app.ts")).toBeNull();
      const finding = evaluateCodeOwners(
        input({ codeOwners: fetched(codeOwnersFile("docs/ @carol")), changedFiles: fetched(["src/a.ts", "src/b.ts"]) }),
      );
      expect(finding.outcome).toBe("pass");
      expect(finding.reason).toBe("None of the 2 changed files has an owner in `.github/CODEOWNERS`, so no code owner approval is needed.");
    });

    it("a pull request without changed files needs no approval", () => {
      const finding = evaluateCodeOwners(input({ changedFiles: fetched([]) }));
      expect(finding.outcome).toBe("pass");
      expect(finding.reason).toBe("The pull request changes no files, so `.github/CODEOWNERS` requires no code owner approval.");
    });

    it("lists at most ten unapproved files, then says how many more", () => {
      const files = Array.from({ length: 13 }, (_, i) => `src/pay/f${i}.ts`);
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(files) }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toContain("13 of 13 changed files with owners lack an approval");
      expect(finding.reason).toContain("`src/pay/f9.ts` (owners: @\u200Bacme/payments) and 3 more.");
      expect(finding.reason).not.toContain("f10.ts");
    });
  });

  describe("e-mail owners", () => {
    it("a file owned only by e-mail addresses cannot be approved: the app cannot match them to GitHub accounts", () => {
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(["README.md"]), approvers: ["plato", "carol"] }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toBe(
        "Per `.github/CODEOWNERS`, 1 of 1 changed file with owners lacks an approval from one of their owners: `README.md` (owners: docs@\u200Bacme.example, e-mail addresses the app cannot match to GitHub accounts).",
      );
      expect(finding.fix).toBe(
        "Name the owners of files owned only by e-mail addresses by @login or @org/team in `.github/CODEOWNERS`: the app cannot match e-mail owners to GitHub accounts.",
      );
    });

    it("an e-mail owner next to a login does not stop the login from approving", () => {
      const text = "*.md docs@acme.example @carol";
      expect(
        evaluateCodeOwners(input({ codeOwners: fetched(codeOwnersFile(text)), changedFiles: fetched(["README.md"]), approvers: ["carol"] }))
          .outcome,
      ).toBe("pass");
      const unapproved = evaluateCodeOwners(input({ codeOwners: fetched(codeOwnersFile(text)), changedFiles: fetched(["README.md"]) }));
      expect(unapproved.reason).toContain("`README.md` (owners: docs@\u200Bacme.example, @\u200Bcarol)");
      expect(unapproved.fix).toBe("Get an approval on the latest commit from one of the owners of each listed file.");
    });

    it("asks for both fixes when both kinds of files lack approval", () => {
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(["README.md", "src/app.ts"]) }));
      expect(finding.fix).toContain("Get an approval on the latest commit");
      expect(finding.fix).toContain("by @login or @org/team");
    });
  });

  describe("fails closed", () => {
    it("a missing CODEOWNERS file is a failure, not a pass", () => {
      const finding = evaluateCodeOwners(input({ codeOwners: fetched(null) }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toBe("No CODEOWNERS file in .github/, the root or docs/ of the base branch; require_code_owners needs one.");
      expect(finding.fix).toContain("CODEOWNERS");
    });

    it.each([
      [
        "CODEOWNERS was not read",
        { codeOwners: undefined },
        "Could not read the CODEOWNERS file of the base branch: it was not read for this evaluation",
      ],
      [
        "CODEOWNERS could not be read",
        { codeOwners: unavailable<CodeOwnersFile | null>("HTTP 502") },
        "Could not read the CODEOWNERS file of the base branch: HTTP 502",
      ],
      [
        "the changed files were not read",
        { changedFiles: undefined },
        "Could not read the pull request's changed files: they were not read for this evaluation",
      ],
      [
        "the changed files could not be read",
        { changedFiles: unavailable<string[]>("HTTP 500") },
        "Could not read the pull request's changed files: HTTP 500",
      ],
    ])("an error when %s", (_name, overrides: Partial<CodeOwnersInput>, reason) => {
      const finding = evaluateCodeOwners({ ...input({ approvers: ["pat"] }), ...overrides });
      expect(finding.outcome).toBe("error");
      expect(finding.reason).toBe(reason);
    });

    it("a team whose members cannot be read fails closed", () => {
      const teams = new Map([["acme/payments", unavailable<ReadonlySet<string>>("HTTP 403: Resource not accessible by integration")]]);
      const finding = evaluateCodeOwners(input({ approvers: ["pat"], teams }));
      expect(finding.outcome).toBe("error");
      expect(finding.reason).toBe(
        "Could not read the members of @\u200Bacme/payments, code owners of `src/pay/api.ts`: HTTP 403: Resource not accessible by integration",
      );
    });

    it("a team whose members were not read at all fails closed", () => {
      const finding = evaluateCodeOwners(input({ approvers: ["pat"], teams: new Map() }));
      expect(finding.outcome).toBe("error");
      expect(finding.reason).toBe(
        "Could not read the members of @\u200Bacme/payments, code owners of `src/pay/api.ts`: its members were not read for this evaluation",
      );
    });

    it("names every unreadable team with its own error", () => {
      const text = "src/ @acme/payments @acme/ledger";
      const teams = new Map([["acme/ledger", unavailable<ReadonlySet<string>>("HTTP 404")]]);
      const finding = evaluateCodeOwners(
        input({ codeOwners: fetched(codeOwnersFile(text)), changedFiles: fetched(["src/a.ts", "src/b.ts"]), teams }),
      );
      expect(finding.outcome).toBe("error");
      expect(finding.reason).toBe(
        "Could not read the members of @\u200Bacme/ledger, @\u200Bacme/payments, code owners of `src/a.ts`, `src/b.ts`: @\u200Bacme/ledger: HTTP 404; @\u200Bacme/payments: its members were not read for this evaluation",
      );
    });

    it("an unreadable team does not matter when another owner of the file approved", () => {
      const text = "src/ @acme/payments @carol";
      const finding = evaluateCodeOwners(
        input({ codeOwners: fetched(codeOwnersFile(text)), changedFiles: fetched(["src/a.ts"]), approvers: ["carol"], teams: new Map() }),
      );
      expect(finding.outcome).toBe("pass");
    });

    it("files that plainly lack an approval fail, with the unreadable team as a note", () => {
      const teams = new Map([["acme/platform", members("plato")]]);
      const finding = evaluateCodeOwners(input({ changedFiles: fetched(["src/pay/api.ts", "src/app.ts"]), teams }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toContain("`src/app.ts` (owners: @\u200Bacme/platform)");
      expect(finding.notes).toEqual([
        "Could not read the members of @\u200Bacme/payments (its members were not read for this evaluation), so approvals by them are not known for `src/pay/api.ts`.",
      ]);
    });

    it("an unparsable line fails the control", () => {
      const text = ["* @acme/platform", "!src/generated/ @acme/platform", "src/[ab]/ @acme/payments", "docs/ carol"].join("\n");
      const finding = evaluateCodeOwners(input({ codeOwners: fetched(codeOwnersFile(text)), approvers: ["plato"] }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toBe(
        "`.github/CODEOWNERS` has 3 invalid lines: `.github/CODEOWNERS:2`: `!src/generated/`: negation (`!`) is not supported in CODEOWNERS; " +
          "`.github/CODEOWNERS:3`: `src/[ab]/`: character ranges (`[...]`) are not supported in CODEOWNERS; " +
          "`.github/CODEOWNERS:4`: `carol` is not an owner (use @login, @org/team or an e-mail address).",
      );
      expect(finding.fix).toBe(
        "Correct or remove the invalid lines in `.github/CODEOWNERS`: GitHub ignores invalid lines, so the app does not guess which owners were meant.",
      );
    });

    it("lists at most five invalid lines, then says how many more", () => {
      const text = Array.from({ length: 8 }, (_, i) => `!f${i} @carol`).join("\n");
      const finding = evaluateCodeOwners(input({ codeOwners: fetched(codeOwnersFile(text)) }));
      expect(finding.reason).toMatch(/^`\.github\/CODEOWNERS` has 8 invalid lines: /);
      expect(finding.reason).toContain("`.github/CODEOWNERS:5`");
      expect(finding.reason).not.toContain("`.github/CODEOWNERS:6`");
      expect(finding.reason).toMatch(/ and 3 more\.$/);
    });

    it("a CODEOWNERS file too big for GitHub fails the control", () => {
      const text = `* @carol\n${"#".repeat(3 * 1024 * 1024)}`;
      const finding = evaluateCodeOwners(input({ codeOwners: fetched(codeOwnersFile(text)), approvers: ["carol"] }));
      expect(finding.outcome).toBe("fail");
      expect(finding.reason).toBe(
        "`.github/CODEOWNERS` has 1 invalid line: `.github/CODEOWNERS`: the file is 3 MB or larger, and GitHub does not load a CODEOWNERS file that big.",
      );
    });
  });

  describe("parsing", () => {
    it("reads patterns and owners, lower-cases logins and teams, keeps e-mail addresses, skips comments and blank lines", () => {
      const text = [
        "# comment",
        "",
        "   ",
        "*.js  @Octo-Cat @Acme/Web_Team Dev.Lead+js@Acme.example # owners of JavaScript",
        "\t/build/logs/\t@octocat_acme\r",
        "\\#notes.txt @carol",
        "space\\ name.txt @carol",
        "docs/**",
        "   # indented comment",
      ].join("\n");
      expect(parseCodeOwners(text)).toEqual({
        rules: [
          { line: 4, pattern: "*.js", owners: ["octo-cat", "acme/web_team", "Dev.Lead+js@Acme.example"] },
          { line: 5, pattern: "/build/logs/", owners: ["octocat_acme"] },
          { line: 6, pattern: "\\#notes.txt", owners: ["carol"] },
          { line: 7, pattern: "space\\ name.txt", owners: ["carol"] },
          { line: 8, pattern: "docs/**", owners: [] },
        ],
        errors: [],
      });
    });

    it("an escaped # is part of the pattern, an escaped blank too", () => {
      const parsed = parseCodeOwners("\\#notes.txt @carol\nspace\\ name.txt @dave");
      expect(ruleFor(parsed, "#notes.txt")?.owners).toEqual(["carol"]);
      expect(ruleFor(parsed, "docs/space name.txt")?.owners).toEqual(["dave"]);
      expect(ruleFor(parsed, "notes.txt")).toBeNull();
    });

    it.each([
      ["!negated @carol", "`!negated`: negation (`!`) is not supported in CODEOWNERS"],
      ["file.[ch] @carol", "`file.[ch]`: character ranges (`[...]`) are not supported in CODEOWNERS"],
      ["trailing\\", "`trailing\\`: pattern ends with an unfinished escape (`\\`)"],
      ["/ @carol", "`/`: pattern matches no file"],
      [`${"a".repeat(MAX_PATTERN_LENGTH + 1)} @carol`, `pattern is longer than ${MAX_PATTERN_LENGTH} characters`],
      ["src/ carol", "`carol` is not an owner (use @login, @org/team or an e-mail address)"],
      ["src/ @acme/team/extra", "`@acme/team/extra` is not an owner (use @login, @org/team or an e-mail address)"],
      ["src/ @", "`@` is not an owner (use @login, @org/team or an e-mail address)"],
      ["src/ carol@localhost", "`carol@localhost` is not an owner (use @login, @org/team or an e-mail address)"],
      ["src/ @carol#x", "`@carol#x` is not an owner (use @login, @org/team or an e-mail address)"],
      [`src/ @${"a".repeat(300)}`, "is not an owner"],
    ])("%s is an invalid line", (line, message) => {
      const parsed = parseCodeOwners(`* @carol\n${line}`);
      expect(parsed.rules).toEqual([{ line: 1, pattern: "*", owners: ["carol"] }]);
      expect(parsed.errors).toHaveLength(1);
      expect(parsed.errors[0]?.line).toBe(2);
      expect(parsed.errors[0]?.message).toContain(message);
    });

    it("an escaped ! or [ is a literal character, not an error", () => {
      const parsed = parseCodeOwners("\\!important.txt @carol\nfile\\[1\\].txt @dave");
      expect(parsed.errors).toEqual([]);
      expect(ruleFor(parsed, "!important.txt")?.owners).toEqual(["carol"]);
      expect(ruleFor(parsed, "file[1].txt")?.owners).toEqual(["dave"]);
    });
  });

  describe("pattern matching (gitignore rules with GitHub's limits)", () => {
    it.each<[string, string, boolean]>([
      // `*` alone: every file
      ["*", "README.md", true],
      ["*", "src/deep/nested/file.ts", true],
      // `*.js` at any depth, within one segment
      ["*.js", "app.js", true],
      ["*.js", "src/web/app.js", true],
      ["*.js", "src/app.ts", false],
      ["*.js", "src/app.js/inner.txt", true], // a directory named app.js owns what is inside
      ["*.js", "app.jsx", false],
      // a name without a slash matches a file or directory at any depth
      ["docs", "docs", true],
      ["docs", "docs/guide.md", true],
      ["docs", "src/docs/guide.md", true],
      ["docs", "documents/guide.md", false],
      // `/`-anchored: only at the root
      ["/docs", "docs/guide.md", true],
      ["/docs", "src/docs/guide.md", false],
      ["/README.md", "README.md", true],
      ["/README.md", "docs/README.md", false],
      // a trailing `/` matches directories only (and everything below them)
      ["apps/", "apps/web/index.ts", true],
      ["apps/", "services/apps/api/main.go", true],
      ["apps/", "apps", false],
      ["apps/", "myapps/x.ts", false],
      ["/build/logs/", "build/logs/today.log", true],
      ["/build/logs/", "build/logs/2025/today.log", true],
      ["/build/logs/", "src/build/logs/today.log", false],
      ["/build/logs/", "build/logs", false],
      // a `/` in the middle anchors to the root
      ["src/pay", "src/pay/api.ts", true],
      ["src/pay", "lib/src/pay/api.ts", false],
      // `docs/*`: files directly in docs/, not further down
      ["docs/*", "docs/getting-started.md", true],
      ["docs/*", "docs/build-app/troubleshooting.md", false],
      ["docs/*", "docs", false],
      ["docs/*", "src/docs/getting-started.md", false],
      ["/*", "README.md", true],
      ["/*", "src/app.ts", false],
      ["docs/*.md", "docs/a.md", true],
      ["docs/*.md", "docs/x/a.md", false],
      ["/*/", "src/app.ts", true],
      ["/*/", "README.md", false],
      // `**`
      ["**/logs", "logs", true],
      ["**/logs", "build/logs/a.log", true],
      ["**/logs", "deeply/nested/logs/a.log", true],
      ["**/logs", "build/logsx/a.log", false],
      ["a/**/b", "a/b", true],
      ["a/**/b", "a/x/b", true],
      ["a/**/b", "a/x/y/z/b/file.txt", true],
      ["a/**/b", "a/x/c", false],
      ["a/**/b", "z/a/x/b", false],
      ["foo/**", "foo/bar", true],
      ["foo/**", "foo/bar/baz", true],
      ["foo/**", "foo", false],
      ["foo/**", "x/foo/bar", false],
      ["foo/**/", "foo/bar", true],
      ["foo/**/", "foo", false],
      ["**", "anything/at/all", true],
      ["/**", "x", true],
      ["**/*bar*", "foo/rebar", true],
      ["foo**bar", "fooXbar", true], // stars that are not a whole segment are a plain `*`
      ["foo**bar", "foo/bar", false],
      // `?`: exactly one character, never `/`
      ["f?o", "foo", true],
      ["f?o", "fo", false],
      ["f?o", "fooo", false],
      ["a?b", "a/b", false],
      ["/src/?.ts", "src/a.ts", true],
      ["/src/?.ts", "src/ab.ts", false],
      // escapes, case, odd input
      ["f\\*o", "f*o", true],
      ["f\\*o", "foo", false],
      ["README.md", "readme.md", false], // case-sensitive
      ["*.ts", "", false],
      ["src//pay/", "src/pay/a.ts", true],
      ["!negated", "negated", false], // invalid patterns match nothing
      ["x/😀?", "x/😀é", true], // `?` is one character, not one UTF-16 unit
    ])("%s matches %s: %s", (pattern, path, expected) => {
      expect(matchesCodeOwnersPattern(pattern, path)).toBe(expected);
    });

    it("finishes on a pathological pattern (no backtracking blow-up)", () => {
      expect(matchesCodeOwnersPattern(`${"a*".repeat(50)}b`, "a".repeat(5000))).toBe(false);
      expect(matchesCodeOwnersPattern(`${"a*".repeat(50)}b`, `${"a".repeat(5000)}b`)).toBe(true);
      expect(matchesCodeOwnersPattern(`${"**/a*/".repeat(40)}b`, `${"a/".repeat(2000)}c`)).toBe(false);
    });

    it("rules built by hand are matched too", () => {
      const parsed = {
        rules: [
          { line: 1, pattern: "src/", owners: ["carol"] },
          { line: 2, pattern: "[bad]", owners: ["dave"] },
        ],
        errors: [],
      };
      expect(ruleFor(parsed, "src/a.ts")?.owners).toEqual(["carol"]);
      expect(ruleFor(parsed, "src/a.ts")?.owners).toEqual(["carol"]); // second lookup uses the cached compilation
    });
  });

  describe("teamsToResolve", () => {
    it("lists the teams owning the given files, lower-case, sorted and unique", () => {
      const text = ["* @Acme/Platform", "src/pay/ @acme/payments @carol @acme/ledger", "docs/ @carol docs@acme.example"].join("\n");
      expect(teamsToResolve(codeOwnersFile(text), ["src/pay/a.ts", "src/pay/b.ts", "src/app.ts", "docs/x.md"])).toEqual([
        "acme/ledger",
        "acme/payments",
        "acme/platform",
      ]);
    });

    it("reads only the winning rule of each file", () => {
      const text = ["* @acme/platform", "docs/ @carol"].join("\n");
      expect(teamsToResolve(codeOwnersFile(text), ["docs/guide.md"])).toEqual([]);
    });
  });
});

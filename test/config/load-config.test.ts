import { formatConfigError, type ConfigError } from "../../src/config/config-error.js";
import { CONFIG_PATH } from "../../src/common/product.js";
import {
  describeLocation,
  type FileLocation,
  loadConfig,
  type LoadedConfig,
  type ReadDefaultBranchFile,
} from "../../src/config/load-config.js";
import { defaultConfig, type SdlcGuardConfig } from "../../src/config/schema.js";
import { SEMVER_TAG_PATTERN } from "../../src/controls/release-tag.js";

/** The default branches of a few repositories: `owner/repo:path` → file text, or an Error GitHub answers with. */
function fakeGitHub(files: Record<string, string | Error> = {}) {
  const contents = new Map(Object.entries(files));
  const calls: string[] = [];
  const read: ReadDefaultBranchFile = async (location) => {
    const name = describeLocation(location);
    calls.push(name);
    const content = contents.get(name);
    if (content instanceof Error) throw content;
    return content ?? null;
  };
  return { read, calls };
}

const repoFile = (owner: string, repo: string) => `${owner}/${repo}:${CONFIG_PATH}`;
const ACME_PAYMENTS = repoFile("acme", "payments");
const ACME_ORG = repoFile("acme", ".github");

function configOf(result: LoadedConfig): { config: SdlcGuardConfig; sources: string[] } {
  if (!result.ok) throw new Error(`expected a config, got an error: ${JSON.stringify(result.error)}`);
  return { config: result.config, sources: result.sources };
}

function errorOf(result: LoadedConfig): ConfigError {
  if (result.ok) throw new Error(`expected a config error, got a config from ${JSON.stringify(result.sources)}`);
  return result.error;
}

/** POL-008 as the built-in defaults spell it out. */
const POL_008: SdlcGuardConfig = {
  controls: {
    reviews: {
      enforcement: "required",
      min_approvals: 2,
      count_stale_approvals: false,
      require_code_owners: false,
      independent_approvers: true,
    },
    "reviewer-teams": { enforcement: "required", teams: [] },
    jira: { enforcement: "required", projects: [], search_in: ["title", "branch", "body"], verify: true, closed_statuses: [] },
    description: { enforcement: "advisory", sections: ["Description", "Testing", "Security considerations"] },
    "branch-protection": { enforcement: "required", min_approvals: 2, allowed_bypass: [], unreadable_bypass: "fail" },
    "secret-scanning": { enforcement: "required" },
    "required-checks": { enforcement: "required", checks: [], accepted_conclusions: ["success"] },
    "commit-messages": { enforcement: "off", min_length: 10, ignore_merge_commits: true },
    "merged-unverified": { enforcement: "required", report: "both" },
    "direct-push": { enforcement: "required", report: "both", bypass_actors: [] },
    "force-push": { enforcement: "required", report: "both" },
    "release-tag": { enforcement: "required", report: "both", pattern: SEMVER_TAG_PATTERN, require_on_default_branch: true },
    "signed-release": { enforcement: "advisory", report: "check" },
    "release-notes": { enforcement: "advisory", report: "check" },
    deployment: { enforcement: "required", environments: [] },
  },
  exceptions: {
    approvers: [],
    min_justification_length: 20,
    non_waivable: ["secret-scanning"],
    expires_after_days: 14,
    max_expires_after_days: 30,
    keep_on_new_commits: [],
  },
  summary: { repository: ".github", schedule: "0 6 * * *", jitter_minutes: 30, period_days: 30, inactive_days: 180, merged_pass_rate: 100 },
  rules: [],
};

describe("loading .github/sdlc-guard.yml", () => {
  describe("where the policy comes from", () => {
    it("without any config file the POL-008 defaults apply: 2 approvals, Jira, branch protection and secret scanning required", async () => {
      const github = fakeGitHub();

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config).toEqual(POL_008);
      expect(sources).toEqual([]);
      expect(github.calls).toEqual([ACME_PAYMENTS, ACME_ORG]);
    });

    it("a repository file overrides one key and keeps every other default", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  reviews:\n    min_approvals: 1\n" });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config).toEqual({
        ...POL_008,
        controls: { ...POL_008.controls, reviews: { ...POL_008.controls.reviews, min_approvals: 1 } },
      });
      expect(sources).toEqual([ACME_PAYMENTS]);
    });

    it("`off` is read as the enforcement keyword, not as a YAML 1.1 boolean", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  secret-scanning:\n    enforcement: off\n" });

      const { config } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls["secret-scanning"].enforcement).toBe("off");
    });

    it("falls back to the organisation's .github repository when the repository has no file", async () => {
      const github = fakeGitHub({ [ACME_ORG]: "controls:\n  jira:\n    enforcement: advisory\n" });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.jira.enforcement).toBe("advisory");
      expect(config.controls.reviews.min_approvals).toBe(2);
      expect(sources).toEqual([ACME_ORG]);
      expect(github.calls).toEqual([ACME_PAYMENTS, ACME_ORG]);
    });

    it("the repository file is merged over the organisation file, which every repository inherits", async () => {
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "controls:\n  reviews:\n    min_approvals: 3\n",
        [ACME_ORG]: "controls:\n  jira:\n    enforcement: advisory\n",
      });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.reviews.min_approvals).toBe(3);
      expect(config.controls.jira.enforcement).toBe("advisory");
      expect(sources).toEqual([ACME_PAYMENTS, ACME_ORG]);
      expect(github.calls).toEqual([ACME_PAYMENTS, ACME_ORG]);
    });

    it("the organisation's .github repository itself is looked up once, not twice", async () => {
      const github = fakeGitHub();

      const { config, sources } = configOf(await loadConfig("acme", ".github", github.read));

      expect(config).toEqual(POL_008);
      expect(sources).toEqual([]);
      expect(github.calls).toEqual([ACME_ORG]);
    });

    it.each([
      ["an empty file", ""],
      ["a comment-only file", "# sdlc-guard: POL-008 defaults\n\n  # nothing else\n"],
    ])("%s changes nothing: the organisation's policy still applies", async (_name, text) => {
      const loaded = await loadConfig("acme", "payments", async (location) =>
        location.repo === "payments" ? text : "controls: { reviews: { min_approvals: 3 } }",
      );
      const expected = {
        ...defaultConfig,
        controls: { ...defaultConfig.controls, reviews: { ...defaultConfig.controls.reviews, min_approvals: 3 } },
      };
      expect(loaded).toEqual({
        ok: true,
        config: expected,
        sources: ["acme/payments:.github/sdlc-guard.yml", "acme/.github:.github/sdlc-guard.yml"],
      });
    });

    it("a file holding an empty YAML document (`---`) applies the defaults", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "---\n" });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config).toEqual(POL_008);
      expect(sources).toEqual([ACME_PAYMENTS]);
    });

    it("reads each file from the owner, repository and path it names", async () => {
      const locations: FileLocation[] = [];
      const read: ReadDefaultBranchFile = async (location) => {
        locations.push(location);
        return null;
      };

      await loadConfig("acme", "payments", read);

      expect(locations).toEqual([
        { owner: "acme", repo: "payments", path: ".github/sdlc-guard.yml" },
        { owner: "acme", repo: ".github", path: ".github/sdlc-guard.yml" },
      ]);
    });
  });

  describe("_extends", () => {
    it("`_extends: repo` inherits from a repository of the same owner; the extending file wins, nested maps merge", async () => {
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "_extends: policies\ncontrols:\n  reviews:\n    min_approvals: 3\n",
        [repoFile("acme", "policies")]:
          "controls:\n  reviews:\n    min_approvals: 2\n    count_stale_approvals: true\n  jira:\n    projects: [PAY]\n",
      });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.reviews).toEqual({
        enforcement: "required",
        min_approvals: 3,
        count_stale_approvals: true,
        require_code_owners: false,
        independent_approvers: true,
      });
      expect(config.controls.jira.projects).toEqual(["PAY"]);
      expect(sources).toEqual([ACME_PAYMENTS, repoFile("acme", "policies")]);
    });

    it("`_extends: owner/repo` inherits from another owner's repository", async () => {
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "_extends: acme-security/baseline\n",
        [repoFile("acme-security", "baseline")]: "controls:\n  branch-protection:\n    min_approvals: 3\n",
      });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls["branch-protection"].min_approvals).toBe(3);
      expect(sources).toEqual([ACME_PAYMENTS, repoFile("acme-security", "baseline")]);
    });

    it("`_extends: owner/repo:path/file.yml` inherits from a file at another path; lists are replaced, not concatenated", async () => {
      const base = "acme-security/policies:sdlc/strict.yml";
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "_extends: acme-security/policies:sdlc/strict.yml\ncontrols:\n  jira:\n    closed_statuses: [Cancelled]\n",
        [base]: "controls:\n  jira:\n    closed_statuses: [Done, Closed]\n    search_in: [title]\n",
      });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.jira.closed_statuses).toEqual(["Cancelled"]);
      expect(config.controls.jira.search_in).toEqual(["title"]);
      expect(sources).toEqual([ACME_PAYMENTS, base]);
      expect(github.calls).toEqual([ACME_PAYMENTS, base, ACME_ORG]);
    });

    it("the organisation file may extend too, and a base's own `_extends` resolves against the base's owner", async () => {
      const github = fakeGitHub({
        [ACME_ORG]: "_extends: acme-security/baseline\ncontrols:\n  jira:\n    enforcement: advisory\n",
        [repoFile("acme-security", "baseline")]: "_extends: root\ncontrols:\n  reviews:\n    min_approvals: 3\n",
        [repoFile("acme-security", "root")]: "controls:\n  reviews:\n    count_stale_approvals: true\n  jira:\n    enforcement: off\n",
      });

      const { config, sources } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.jira.enforcement).toBe("advisory");
      expect(config.controls.reviews).toEqual({
        enforcement: "required",
        min_approvals: 3,
        count_stale_approvals: true,
        require_code_owners: false,
        independent_approvers: true,
      });
      expect(sources).toEqual([ACME_ORG, repoFile("acme-security", "baseline"), repoFile("acme-security", "root")]);
    });

    it("a chain of five _extends hops is followed to the end", async () => {
      const files: Record<string, string> = { [ACME_PAYMENTS]: "_extends: base1\n" };
      for (let i = 1; i < 5; i++) files[repoFile("acme", `base${i}`)] = `_extends: base${i + 1}\n`;
      files[repoFile("acme", "base5")] = "controls:\n  reviews:\n    min_approvals: 4\n";

      const { config, sources } = configOf(await loadConfig("acme", "payments", fakeGitHub(files).read));

      expect(config.controls.reviews.min_approvals).toBe(4);
      expect(sources).toHaveLength(6);
      expect(sources.at(-1)).toBe(repoFile("acme", "base5"));
    });

    it("a sixth _extends hop is refused at the file that asks for it", async () => {
      const files: Record<string, string> = { [ACME_PAYMENTS]: "_extends: base1\n" };
      for (let i = 1; i <= 5; i++) files[repoFile("acme", `base${i}`)] = `_extends: base${i + 1}\n`;
      files[repoFile("acme", "base6")] = "{}\n";
      const github = fakeGitHub(files);

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toEqual({
        file: repoFile("acme", "base5"),
        keyPath: "_extends",
        expected: "an _extends chain without cycles, at most 5 deep",
      });
      expect(github.calls).not.toContain(repoFile("acme", "base6"));
    });

    it("an _extends target that does not exist fails, naming the extending file, the key and the missing file", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "_extends: acme/missing\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.keyPath).toBe("_extends");
      expect(error.expected).toContain("acme/missing:.github/sdlc-guard.yml was not found");
      expect(github.calls).toEqual([ACME_PAYMENTS, repoFile("acme", "missing")]);
    });

    it("an _extends cycle fails instead of looping", async () => {
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "_extends: policies\n",
        [repoFile("acme", "policies")]: "_extends: payments\n",
      });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(repoFile("acme", "policies"));
      expect(error.keyPath).toBe("_extends");
      expect(error.expected).toMatch(/without cycles/);
      expect(github.calls).toEqual([ACME_PAYMENTS, repoFile("acme", "policies")]);
    });

    it("a file that extends itself fails", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "_extends: payments\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toMatchObject({ file: ACME_PAYMENTS, keyPath: "_extends" });
      expect(error.expected).toMatch(/without cycles/);
    });

    it.each([
      ["an empty string", "''"],
      ["too many path segments", "acme/policies/extra"],
      ["a path that is not a YAML file", "acme/policies:sdlc/strict.json"],
      ["spaces inside the name", "my policies"],
      ["a URL", "https://github.com/acme/policies"],
    ])("a malformed _extends value (%s) fails with the accepted forms", async (_case, value) => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: `_extends: ${value}\n` });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toEqual({
        file: ACME_PAYMENTS,
        keyPath: "_extends",
        expected: "`repo`, `owner/repo` or `owner/repo:path/file.yml`",
      });
      expect(github.calls).toEqual([ACME_PAYMENTS]);
    });

    it("an _extends that is not a string fails at `_extends`", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "_extends: [a, b]\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.keyPath).toBe("_extends");
      expect(error.expected).toMatch(/string/);
    });

    it("an error in the base of an _extends chain names the base file, not the extending one", async () => {
      const base = repoFile("acme", "policies");
      const github = fakeGitHub({
        [ACME_PAYMENTS]: "_extends: policies\ncontrols:\n  reviews:\n    min_approvals: 2\n",
        [base]: "controls:\n  reviews:\n    min_approvals: 11\n",
      });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(base);
      expect(error.keyPath).toBe("controls.reviews.min_approvals");
      expect(error.expected).toMatch(/10/);
    });

    it("a base that cannot be read fails with GitHub's answer and the base's name", async () => {
      const base = repoFile("acme", "policies");
      const github = fakeGitHub({ [ACME_PAYMENTS]: "_extends: policies\n", [base]: new Error("Resource not accessible by integration") });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(base);
      expect(error.expected).toContain("Resource not accessible by integration");
    });
  });

  describe("files that cannot be used", () => {
    it("invalid YAML fails with the file and line", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  reviews: {min_approvals: 1}\n    jira: x\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe("acme/payments:.github/sdlc-guard.yml");
      expect(error.keyPath).toBe("");
      expect(error.expected).toMatch(/^valid YAML \(line 3, column 5\); the parser said `bad indentation/);
    });

    it("tabs used for indentation fail at the line they are on", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n\treviews: {}\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.expected).toMatch(/line 2\b/);
      expect(error.expected).not.toContain("\n");
    });

    it("a duplicated key is a YAML error, not a silent override", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  reviews: {min_approvals: 1}\n  reviews: {min_approvals: 3}\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.expected).toMatch(/line 3.*duplicated mapping key/);
    });

    it("several YAML documents in one file fail", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls: {}\n---\ncontrols: {}\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toMatchObject({ file: ACME_PAYMENTS, keyPath: "" });
      expect(error.expected).toMatch(/^valid YAML; the parser said `expected a single document/);
    });

    it.each([
      ["min_approvals below 1", "controls:\n  reviews:\n    min_approvals: 0\n", "controls.reviews.min_approvals", />=\s*1/],
      [
        "min_approvals above 10",
        "controls:\n  branch-protection:\n    min_approvals: 11\n",
        "controls.branch-protection.min_approvals",
        /<=\s*10/,
      ],
      ["a fractional min_approvals", "controls:\n  reviews:\n    min_approvals: 1.5\n", "controls.reviews.min_approvals", /int/],
      ["a quoted number", "controls:\n  reviews:\n    min_approvals: '2'\n", "controls.reviews.min_approvals", /number/],
      ["an unknown enforcement", "controls:\n  jira:\n    enforcement: maybe\n", "controls.jira.enforcement", /required.*advisory.*off/],
      [
        "a lower-case Jira project",
        "controls:\n  jira:\n    projects: [PAY, ops]\n",
        "controls.jira.projects.1",
        /upper-case Jira project key/,
      ],
      ["an empty search_in", "controls:\n  jira:\n    search_in: []\n", "controls.jira.search_in", /1/],
      ["an empty `controls:`", "controls:\n", "controls", /object/],
    ])("a value the schema refuses (%s) fails with its key path and what was expected", async (_case, text, keyPath, expected) => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: text });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.keyPath).toBe(keyPath);
      expect(error.expected).toMatch(expected);
    });

    it("a misspelt key is named, at the mapping it is in, with the line it is on", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  reviews:\n    min_aprovals: 1\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toEqual({
        file: ACME_PAYMENTS,
        keyPath: "controls.reviews",
        line: 3,
        expected: "no key `min_aprovals` here (unknown key: check the spelling)",
      });
    });

    it("every unknown top-level key is named, with an empty key path", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "control:\n  reviews: {}\nextends: base\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.keyPath).toBe("");
      expect(error.expected).toContain("`control`, `extends`");
    });

    it("a `__proto__` key is refused as unknown rather than merged into the config", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  __proto__:\n    polluted: true\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.keyPath).toBe("controls");
      expect(error.expected).toContain("`__proto__`");
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("a Jira key pattern RE2 cannot compile fails at `controls.jira.key_pattern`", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: 'controls:\n  jira:\n    key_pattern: "(a"\n' });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.keyPath).toBe("controls.jira.key_pattern");
      expect(error.expected).toMatch(/^a valid RE2 regular expression \(.*missing closing \)/);
    });

    it("a backtracking-only construct RE2 does not support is refused too", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  jira:\n    key_pattern: '(?=PAY)[A-Z]+-\\d+'\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.keyPath).toBe("controls.jira.key_pattern");
      expect(error.expected).toMatch(/RE2/);
    });

    it("a valid RE2 key pattern is kept as written", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  jira:\n    key_pattern: '\\b(PAY|OPS)-[0-9]+\\b'\n" });

      const { config } = configOf(await loadConfig("acme", "payments", github.read));

      expect(config.controls.jira.key_pattern).toBe("\\b(PAY|OPS)-[0-9]+\\b");
    });

    it.each([
      ["list", "- reviews\n- jira\n"],
      ["string", "reviews\n"],
      ["number", "42\n"],
    ])("a file whose top level is a %s instead of a mapping fails", async (_case, text) => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: text });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error).toEqual({ file: ACME_PAYMENTS, keyPath: "", expected: "a YAML mapping at the top level (e.g. `controls:`)" });
    });

    it("a file GitHub fails to return is an error with GitHub's message, and the org file is not used instead", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: new Error("HTTP 502 Bad Gateway"), [ACME_ORG]: "controls: {}\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_PAYMENTS);
      expect(error.keyPath).toBe("");
      expect(error.expected).toContain("HTTP 502 Bad Gateway");
      expect(github.calls).toEqual([ACME_PAYMENTS]);
    });

    it("an unusable organisation file is reported as such, not silently replaced by the defaults", async () => {
      const github = fakeGitHub({ [ACME_ORG]: "controls:\n  reviews:\n    enforcement: sometimes\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(error.file).toBe(ACME_ORG);
      expect(error.keyPath).toBe("controls.reviews.enforcement");
    });
  });

  describe("the error as one log line", () => {
    it("names the file and the key path", async () => {
      const github = fakeGitHub({ [ACME_PAYMENTS]: "controls:\n  reviews:\n    min_aprovals: 1\n" });

      const error = errorOf(await loadConfig("acme", "payments", github.read));

      expect(formatConfigError(error)).toBe(
        "acme/payments:.github/sdlc-guard.yml at `controls.reviews`: no key `min_aprovals` here (unknown key: check the spelling)",
      );
    });

    it("names only the file for a whole-file problem", () => {
      expect(formatConfigError({ file: ACME_ORG, keyPath: "", expected: "a YAML mapping at the top level" })).toBe(
        "acme/.github:.github/sdlc-guard.yml: a YAML mapping at the top level",
      );
    });
  });
});

describe("rule provenance: an org rule is marked as the org's, so the repository's rules cannot lower it", () => {
  const rule = (name: string, glob: string) =>
    `  - name: ${name}\n    if: { paths: ["${glob}"] }\n    controls:\n      reviews: { min_approvals: 3 }\n`;
  it.each([
    ["the org file's rule", { [ACME_ORG]: `rules:\n${rule("org", "infra/**")}`, [ACME_PAYMENTS]: `rules:\n${rule("mine", "src/**")}` }],
    [
      "a rule of a file the org file extends",
      {
        [ACME_ORG]: "_extends: policies\n",
        [repoFile("acme", "policies")]: `rules:\n${rule("org", "infra/**")}`,
        [ACME_PAYMENTS]: `rules:\n${rule("mine", "src/**")}`,
      },
    ],
    [
      "the org's rule, even when the repository extends the org file too",
      { [ACME_ORG]: `rules:\n${rule("org", "infra/**")}`, [ACME_PAYMENTS]: `_extends: .github\nrules:\n${rule("mine", "src/**")}` },
    ],
  ])("%s is marked org, the repository's is not", async (_, files) => {
    const loaded = await loadConfig("acme", "payments", fakeGitHub(files).read);
    if (!loaded.ok) throw new Error(formatConfigError(loaded.error));
    expect(loaded.config.rules.map((r) => [r.name, (r as { origin?: string }).origin])).toEqual([
      ["org", "org"],
      ["mine", undefined],
    ]);
  });
});

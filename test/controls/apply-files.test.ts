import {
  parseCodeowners,
  parseSecurityContact,
  planRepositoryFiles,
  securityPolicyContent,
  type OpenFilesPullRequest,
} from "../../src/controls/apply-files.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import type { RepositoryFacts, RepositoryFiles } from "../../src/facts/org-summary.js";

const none = unavailable<never>("not read by these tests");
function repo(files: Partial<RepositoryFiles> | null, overrides: Partial<RepositoryFacts> = {}): RepositoryFacts {
  return {
    name: "payments",
    url: "https://github.com/acme/payments",
    archived: false,
    visibility: "private",
    defaultBranch: "main",
    pushedAt: null,
    protection: none,
    secretScanning: none,
    openSecretAlerts: none,
    dependabotEnabled: none,
    dependabotAlerts: none,
    codeScanning: none,
    files: files
      ? fetched({ readme: null, contributing: null, securityPolicy: null, codeowners: null, ...files })
      : unavailable("HTTP 502"),
    latestRelease: none,
    pushes: none,
    unverifiedMerges: none,
    configText: none,
    mergedPullRequests: none,
    ...overrides,
  };
}
const both = { codeowners: ["@acme/platform"], securityContact: "security@acme.example" };
const rows = (plan: ReturnType<typeof planRepositoryFiles>) => plan.items.map((i) => `${i.control} ${i.state}: ${i.detail}`);

describe("planRepositoryFiles", () => {
  it.each([
    [
      "both present",
      { codeowners: "docs/CODEOWNERS", securityPolicy: "acme/.github: SECURITY.md" },
      both,
      null,
      ["codeowners holds: CODEOWNERS present (docs/CODEOWNERS)", "security-policy holds: SECURITY.md present (acme/.github: SECURITY.md)"],
      [],
    ],
    [
      "both missing",
      {},
      both,
      null,
      [
        "codeowners change: add .github/CODEOWNERS (* @acme/platform) by pull request",
        "security-policy change: add SECURITY.md (report to security@acme.example) by pull request",
      ],
      [".github/CODEOWNERS", "SECURITY.md"],
    ],
    [
      "no --codeowners",
      { securityPolicy: "SECURITY.md" },
      { securityContact: "security@acme.example" },
      null,
      ["codeowners cannot: no code owners given (--codeowners @org/team)", "security-policy holds: SECURITY.md present (SECURITY.md)"],
      [],
    ],
    [
      "no --security-contact",
      { codeowners: "CODEOWNERS" },
      { codeowners: ["@lead"] },
      null,
      [
        "codeowners holds: CODEOWNERS present (CODEOWNERS)",
        "security-policy cannot: no security contact given (--security-contact <e-mail or https URL>)",
      ],
      [],
    ],
    [
      "pull request already open, opened by the identity that applies",
      {},
      both,
      { number: 12, author: "octo-admin", ours: "same-identity" },
      ["codeowners holds: pull request #12 open", "security-policy holds: pull request #12 open"],
      [],
    ],
    [
      "pull request already open, opened by someone else with exactly the planned content",
      {},
      both,
      { number: 12, author: "octo-dev", ours: "planned-content" },
      [
        "codeowners holds: pull request #12 open (opened by octo-dev, content as planned)",
        "security-policy holds: pull request #12 open (opened by octo-dev, content as planned)",
      ],
      [],
    ],
    [
      "pull request opened by someone else with other content: not taken as done",
      {},
      both,
      { number: 12, author: "octo-dev" },
      [
        "codeowners cannot: pull request #12 from sdlc-guard/repository-files was opened by octo-dev with other content than planned: review or close it",
        "security-policy cannot: pull request #12 from sdlc-guard/repository-files was opened by octo-dev with other content than planned: review or close it",
      ],
      [],
    ],
  ] as const)("%s", (_, files, options, open, expected, paths) => {
    const plan = planRepositoryFiles(
      repo(files),
      { ...options, codeowners: "codeowners" in options ? [...options.codeowners] : undefined },
      fetched(open as OpenFilesPullRequest | null),
    );
    expect(rows(plan)).toEqual(expected);
    expect(plan.change?.files.map((f) => f.path) ?? []).toEqual(paths);
  });

  it("fails closed: unreadable files or an unreadable pull request list cannot be planned", () => {
    expect(rows(planRepositoryFiles(repo(null), both, fetched(null)))).toEqual([
      "codeowners cannot: the repository's files could not be read: HTTP 502",
      "security-policy cannot: the repository's files could not be read: HTTP 502",
    ]);
    const plan = planRepositoryFiles(repo({}), both, unavailable("GitHub answered HTTP 502"));
    expect(plan.change).toBeUndefined();
    expect(rows(plan)[0]).toBe(
      "codeowners cannot: whether a pull request from sdlc-guard/repository-files is open could not be read: GitHub answered HTTP 502",
    );
  });

  it("an empty repository has no branch to propose to", () => {
    expect(planRepositoryFiles(repo({}, { defaultBranch: null }), both, undefined).items[0]!.state).toBe("cannot");
  });

  it("the pull request carries both files, its title and why", () => {
    const { change } = planRepositoryFiles(repo({}), both, fetched(null));
    expect(change).toMatchObject({
      branch: "sdlc-guard/repository-files",
      baseBranch: "main",
      title: "Add CODEOWNERS and SECURITY.md (sdlc-guard apply)",
    });
    expect(change!.body).toContain("POL-008 documentation");
    expect(change!.files[0]!.content).toContain("\n* @acme/platform\n");
  });
});

describe("options", () => {
  it.each([
    ["@acme/platform", ["@acme/platform"]],
    ["@acme/platform, @octo-lead,@acme/platform", ["@acme/platform", "@octo-lead"]],
    ["acme/platform", null],
    ["@acme/platform @x", null],
    ["@-bad", null],
    ["", null],
  ])("--codeowners %j", (value, owners) => {
    const parsed = parseCodeowners(value);
    expect(parsed.ok ? parsed.owners : null).toEqual(owners);
  });

  it.each([
    ["security@acme.example", "security@acme.example"],
    ["https://acme.example/security", "https://acme.example/security"],
    ["http://acme.example/security", null],
    ["javascript:alert(1)", null],
    ["https://user:pw@acme.example/", null],
    ["security@acme", null],
    ["a b@acme.example", null],
  ])("--security-contact %j", (value, contact) => {
    const parsed = parseSecurityContact(value);
    expect(parsed.ok ? parsed.contact : null).toEqual(contact);
  });

  it("a URL contact is an autolink, an address a mailto link", () => {
    expect(securityPolicyContent("https://acme.example/report")).toContain("through <https://acme.example/report>");
    expect(securityPolicyContent("sec@acme.example")).toContain("by e-mail to [sec@acme.example](mailto:sec@acme.example)");
  });
});

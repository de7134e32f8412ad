import { readFileSync } from "node:fs";
import { runDemo } from "../../demo/run-demo.js";
import { displayWidth, TERMINAL_WIDTH } from "../../src/report/terminal-text.js";

/** The lines of the README's demo sample (between its markers, without the code fence). */
function readmeDemoSample(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const sample = /<!-- demo-sample:start -->\n([\s\S]*?)<!-- demo-sample:end -->/.exec(readme)?.[1] ?? "";
  return sample.split("\n").filter((line) => line.trim() !== "" && line.trim() !== "..." && !line.startsWith("```"));
}

describe("npm run demo", () => {
  let output: Awaited<ReturnType<typeof runDemo>> & { lines: string[] };
  beforeAll(async () => {
    const lines: string[] = [];
    output = { ...(await runDemo((line) => lines.push(line))), lines };
  }, 60_000);

  it("runs the real app against the simulator and prints the check runs of four PRs, a direct push and a bad tag with the expected conclusions", () => {
    const { cases, badSignatureStatus, githubRequestsAfterBadSignature, lines } = output;

    expect(cases.map((c) => [c.name, c.conclusion])).toEqual([
      ["compliant PR", "success"],
      ["one approval only", "failure"],
      ["no Jira key", "failure"],
      ["unprotected base branch", "failure"],
      ["direct push to main", "failure"],
      ["tag 1.2", "failure"],
    ]);
    expect(cases[4]!.title).toBe("1 required control(s) failing: direct-push");
    // The tag's commit is the directly pushed one: its run keeps the push's row and adds the tag's.
    expect(cases[5]!.title).toBe("2 required control(s) failing: direct-push, release-tag; advisory: signed-release");
    expect(lines.join("\n")).toContain(
      'violation issues in acme/payments: #1 "sdlc-guard: direct pushes to protected branches", #2 "sdlc-guard: release tags outside the versioning policy"',
    );
    expect(cases[1]!.title).toBe("1 required control(s) failing: reviews");
    expect(cases[2]!.title).toBe("1 required control(s) failing: jira");
    expect(cases[3]!.title).toBe("1 required control(s) failing: branch-protection");
    expect(lines.join("\n")).toMatch(/`reviews`\s+❌ fail\s+required\s+1 of 2 required approvals/);
    // The README shows an abridged copy of this output: every line it shows is printed, word for word.
    const sample = readmeDemoSample();
    expect(sample.length).toBeGreaterThan(10);
    const printed = new Set(lines.join("\n").split("\n"));
    expect(sample.filter((line) => !printed.has(line))).toEqual([]);
    expect(badSignatureStatus).toBe(400);
    expect(githubRequestsAfterBadSignature).toBe(0);
  });

  it("shows each PR's own commit, and its check-run tables fit in 120 columns", () => {
    const prShas = output.cases.slice(0, 4).map((c) => c.sha.slice(0, 7));
    expect(new Set(prShas).size).toBe(4);
    const tooWide = output.lines
      .join("\n")
      .split("\n")
      .filter((line) => line.startsWith("   ") && displayWidth(line) > TERMINAL_WIDTH);
    expect(output.lines.join("\n")).toMatch(/^ {3}Control\s+Result\s+Enforcement\s+Reason\s+How to fix$/m);
    expect(tooWide).toEqual([]);
  });
});

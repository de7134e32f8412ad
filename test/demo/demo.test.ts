import { readFileSync } from "node:fs";
import { runDemo } from "../../demo/run-demo.js";

/** The lines of the README's demo sample (between its markers, without the code fence). */
function readmeDemoSample(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const sample = /<!-- demo-sample:start -->\n([\s\S]*?)<!-- demo-sample:end -->/.exec(readme)?.[1] ?? "";
  return sample.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("```"));
}

describe("npm run demo", () => {
  it("runs the real app against the simulator and prints the check runs of four PRs, a direct push and a bad tag with the expected conclusions", async () => {
    const lines: string[] = [];
    const { cases, badSignatureStatus, githubRequestsAfterBadSignature } = await runDemo((line) => lines.push(line));

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
    expect(lines.join("\n")).toContain("| `reviews` | ❌ fail | required | 1 of 2 required approvals");
    // The README shows an abridged copy of this output: every line it shows is printed, word for word.
    const sample = readmeDemoSample();
    expect(sample.length).toBeGreaterThan(10);
    const printed = new Set(lines.join("\n").split("\n"));
    expect(sample.filter((line) => !printed.has(line))).toEqual([]);
    expect(badSignatureStatus).toBe(400);
    expect(githubRequestsAfterBadSignature).toBe(0);
  }, 60_000);
});

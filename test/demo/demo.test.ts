import { runDemo } from "../../demo/run-demo.js";

describe("npm run demo", () => {
  it("runs the real app against the simulator and prints the four check runs with the expected conclusions", async () => {
    const lines: string[] = [];
    const { cases, badSignatureStatus, githubRequestsAfterBadSignature } = await runDemo((line) => lines.push(line));

    expect(cases.map((c) => [c.name, c.conclusion])).toEqual([
      ["compliant PR", "success"],
      ["one approval only", "failure"],
      ["no Jira key", "failure"],
      ["unprotected base branch", "failure"],
    ]);
    expect(cases[1]!.title).toBe("1 required control(s) failing: reviews");
    expect(cases[2]!.title).toBe("1 required control(s) failing: jira");
    expect(cases[3]!.title).toBe("1 required control(s) failing: branch-protection");
    expect(lines.join("\n")).toContain("| `reviews` | ❌ fail | required | 1 of 2 required approvals");
    expect(badSignatureStatus).toBe(400);
    expect(githubRequestsAfterBadSignature).toBe(0);
  }, 60_000);
});

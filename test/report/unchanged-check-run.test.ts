import { isUnchangedRun, sameExceptTimes } from "../../src/report/unchanged-check-run.js";

const AT = "2026-12-07T04:00:00.000Z";
const summary = (at: string, row = "✅ pass") =>
  `**sdlc-guard** evaluated PR #1 at \`abc\` on ${at} against the policy.\n| \`reviews\` | ${row} |`;
const fields = {
  status: "completed" as const,
  conclusion: "success",
  output: { title: "All required controls pass", summary: summary(AT) },
};
const read = {
  status: "COMPLETED",
  conclusion: "SUCCESS",
  title: "All required controls pass",
  summary: summary("2026-12-01T10:11:12.345Z"),
};

describe("whether a check run already shows a result", () => {
  it.each([
    ["the same result evaluated at another time", read, true],
    ["another conclusion", { ...read, conclusion: "FAILURE" }, false],
    ["another title", { ...read, title: "1 required control(s) failing: reviews" }, false],
    ["another row", { ...read, summary: summary("2026-12-01T10:11:12.345Z", "❌ fail") }, false],
    ["a run in progress", { ...read, status: "IN_PROGRESS", conclusion: null }, false],
    ["a run whose title was not read", { ...read, title: null }, false],
    ["no run", null, false],
  ])("%s: %s", (_what, run, unchanged) => {
    expect(isUnchangedRun(fields, run, AT)).toBe(unchanged);
  });

  it("only the evaluation time may differ, and only for another ISO instant of the same shape", () => {
    expect(sameExceptTimes(`x ${AT} y`, "x 2020-01-01T00:00:00.000Z y", AT)).toBe(true);
    expect(sameExceptTimes(`x ${AT} y`, "x not-a-time-at-all-here!! y", AT)).toBe(false);
    expect(sameExceptTimes(`x ${AT} y`, "x 2020-01-01T00:00:00.000Z z", AT)).toBe(false);
    expect(sameExceptTimes("no time", "no time", AT)).toBe(true);
    expect(sameExceptTimes("no time", "no tame", AT)).toBe(false);
  });
});

import { fileURLToPath } from "node:url";
import { SUMMARY_CONTROL_IDS } from "../../src/facts/org-summary.js";
import { SUMMARY_CSV_COLUMNS, summaryAsCsv, summaryAsJson } from "../../src/report/org-summary-formats.js";
import { exampleSummary, expectGolden, repository, summaryOf } from "../support/org-summary-fixture.js";

/** RFC 4180 reading (csv-parse is not a dependency): quoted fields may hold commas, doubled quotes and line breaks. */
function parse(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') field += csv[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      rows.push([...row, field]);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

const golden = (name: string) => fileURLToPath(new URL(`../fixtures/summary/${name}`, import.meta.url));

describe("the summary as JSON", () => {
  const summary = exampleSummary();
  const json = summaryAsJson(summary);

  it("matches the golden file (UPDATE_GOLDEN=1 to accept a change)", () => {
    expectGolden(golden("summary.json"), json);
  });

  it("keeps a stable shape: version, totals, cells by control id in catalogue order", () => {
    const parsed = JSON.parse(json);

    expect(Object.keys(parsed)).toEqual([
      "version",
      "org",
      "webUrl",
      "generatedAt",
      "period",
      "totals",
      "compliantPercent",
      "twoFactor",
      "rates",
      "repositories",
      "archived",
      "history",
      "requests",
      "durationMs",
    ]);
    expect(parsed.version).toBe(1);
    expect(parsed.totals).toEqual({ active: 8, archived: 2, compliant: 3 });
    expect(Object.keys(parsed.repositories[0].cells)).toEqual([...SUMMARY_CONTROL_IDS]);
    expect(parsed.rates.map((r: { id: string }) => r.id)).toEqual([...SUMMARY_CONTROL_IDS]);
  });

  it("does not depend on the order of the rates it is given", () => {
    expect(summaryAsJson({ ...summary, rates: [...summary.rates].reverse() })).toBe(json);
  });
});

describe("the summary as CSV", () => {
  const csv = summaryAsCsv(exampleSummary());
  const rows = parse(csv);

  it("matches the golden file (UPDATE_GOLDEN=1 to accept a change)", () => {
    expectGolden(golden("summary.csv"), csv);
  });

  it("has one row per repository, archived ones last and not judged", () => {
    expect(rows[0]).toEqual(["repository", "url", "archived", "compliant", ...SUMMARY_CONTROL_IDS.flatMap((id) => [id, `${id} detail`])]);
    expect(rows[0]).toEqual(SUMMARY_CSV_COLUMNS);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ["payments-api", "no", "no"],
      ["legacy-portal", "no", "no"],
      ["data-pipeline", "no", "no"],
      ["mobile-app", "no", "no"],
      ["billing-worker", "no", "no"],
      ["auth-service", "no", "yes"],
      ["docs-site", "no", "yes"],
      ["infra-terraform", "no", "yes"],
      ["hackathon-2019", "yes", ""],
      ["old-website", "yes", ""],
    ]);
    expect(
      rows
        .at(-1)!
        .slice(4)
        .every((cell) => cell === ""),
    ).toBe(true);
  });

  it("gives each control's state and detail", () => {
    const mobile = rows.find((r) => r[0] === "mobile-app")!;
    const column = (name: string) => mobile[SUMMARY_CSV_COLUMNS.indexOf(name)];

    expect(column("code-scanning")).toBe("unknown");
    expect(column("code-scanning detail")).toBe("GitHub answered 403: Resource not accessible by integration");
    expect(column("force-push")).toBe("fail");
    expect(rows.find((r) => r[0] === "docs-site")![SUMMARY_CSV_COLUMNS.indexOf("release-tag")]).toBe("n/a");
  });

  it("quotes commas, quotes and line breaks, and defuses text a spreadsheet would run as a formula", () => {
    const tricky = repository("tricky", {
      dependabot: { state: "fail", detail: '=HYPERLINK("http://evil.example"), line\nbreak', fix: "x" },
    });

    const [, row] = parse(summaryAsCsv(summaryOf([tricky])));

    expect(row![SUMMARY_CSV_COLUMNS.indexOf("dependabot detail")]).toBe(`'=HYPERLINK("http://evil.example"), line\nbreak`);
  });
});

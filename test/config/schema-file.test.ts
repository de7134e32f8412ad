import { readFileSync } from "node:fs";
import { configJsonSchema } from "../../src/config/schema.js";

type JsonSchema = { description?: unknown; properties?: Record<string, JsonSchema> };

const committed = JSON.parse(readFileSync(new URL("../../schema/sdlc-guard.schema.json", import.meta.url), "utf8")) as JsonSchema;

/** Every entry under `properties`, at any depth, by dotted path. */
function propertiesOf(schema: JsonSchema, prefix = ""): [string, JsonSchema][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [[path, property] as [string, JsonSchema], ...propertiesOf(property, path)];
  });
}

describe("schema/sdlc-guard.schema.json", () => {
  it("the committed JSON Schema is up to date", () => {
    try {
      expect(committed).toEqual(configJsonSchema());
    } catch (error) {
      throw new Error(
        "schema/sdlc-guard.schema.json differs from the zod schema in src/config/schema.ts: " +
          "run `npm run schema` and commit the result.\n\n" +
          (error as Error).message,
        { cause: error },
      );
    }
  });

  it("is a draft 2020-12 schema with a stable $id, so editors can resolve it", () => {
    expect(committed).toMatchObject({
      $id: "https://sdlc-guard.dev/schema/sdlc-guard.schema.json",
      $schema: "https://json-schema.org/draft/2020-12/schema",
    });
  });

  it("every field is documented", () => {
    const properties = propertiesOf(committed);
    const undocumented = properties
      .filter(([, property]) => typeof property.description !== "string" || property.description.trim() === "")
      .map(([path]) => path);

    expect(undocumented).toEqual([]);
    expect(typeof committed.description === "string" && committed.description.trim()).toBeTruthy();
    // The walk reaches the leaves of every control, so the check above is not vacuous.
    expect(properties.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        "_extends",
        "controls",
        "controls.reviews.min_approvals",
        "controls.jira.key_pattern",
        "controls.jira.closed_statuses",
        "controls.branch-protection.min_approvals",
        "controls.secret-scanning.enforcement",
      ]),
    );
  });
});

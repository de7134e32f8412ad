import { mergeConfig } from "../../src/config/merge-config.js";

describe("merging a config over the one it extends", () => {
  it("a key set in the overlay replaces the base's value", () => {
    expect(mergeConfig({ a: 1, b: "base" }, { b: "overlay" })).toEqual({ a: 1, b: "overlay" });
  });

  it("keys only in the overlay are added", () => {
    expect(mergeConfig({ a: 1 }, { c: true })).toEqual({ a: 1, c: true });
  });

  it("nested mappings merge key by key, at any depth", () => {
    const base = { controls: { reviews: { min_approvals: 2, count_stale_approvals: true }, jira: { verify: false } } };
    const overlay = { controls: { reviews: { min_approvals: 3 } } };

    expect(mergeConfig(base, overlay)).toEqual({
      controls: { reviews: { min_approvals: 3, count_stale_approvals: true }, jira: { verify: false } },
    });
  });

  it("lists are replaced, not concatenated", () => {
    expect(mergeConfig({ projects: ["PAY", "OPS"] }, { projects: ["SEC"] })).toEqual({ projects: ["SEC"] });
  });

  it("an empty list in the overlay clears the base's list", () => {
    expect(mergeConfig({ closed_statuses: ["Done"] }, { closed_statuses: [] })).toEqual({ closed_statuses: [] });
  });

  it("a mapping replaces a scalar, and a scalar or null replaces a mapping", () => {
    expect(mergeConfig({ a: "text" }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(mergeConfig({ a: { b: 1 } }, { a: 7 })).toEqual({ a: 7 });
    expect(mergeConfig({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
  });

  it("a list never merges with a mapping", () => {
    expect(mergeConfig({ a: { b: 1 } }, { a: ["x"] })).toEqual({ a: ["x"] });
    expect(mergeConfig({ a: ["x"] }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it("an empty overlay leaves the base as it is, and an empty base yields the overlay", () => {
    const config = { controls: { reviews: { min_approvals: 2 } } };

    expect(mergeConfig(config, {})).toEqual(config);
    expect(mergeConfig({}, config)).toEqual(config);
  });

  it("neither input is modified", () => {
    const base = { controls: { reviews: { min_approvals: 2 } }, list: [1] };
    const overlay = { controls: { reviews: { min_approvals: 3 }, jira: { verify: false } }, list: [2] };
    const before = structuredClone({ base, overlay });

    mergeConfig(base, overlay);

    expect({ base, overlay }).toEqual(before);
  });
});

import { unannouncedTags, type RecentTag } from "../../src/controls/unannounced-tags.js";

const tag = (name: string, evaluated: boolean | undefined): RecentTag => ({ name, commitSha: `sha-${name}`, evaluated });

describe("unannouncedTags: the recent tags GitHub sent no event for", () => {
  it.each<[string, RecentTag[], string | undefined, string[]]>([
    [
      "the tags newer than the newest evaluated one, newest first",
      [tag("v5", false), tag("v4", false), tag("v3", true), tag("v2", false)],
      undefined,
      ["v5", "v4"],
    ],
    ["none when the newest tag was evaluated", [tag("v3", true), tag("v2", false)], undefined, []],
    [
      "none without an evaluated tag to compare with (tags from before the app are not judged retroactively)",
      [tag("v2", false), tag("v1", false)],
      undefined,
      [],
    ],
    [
      "the tag being evaluated is left out, and is no boundary",
      [tag("v5", false), tag("v4", false), tag("v3", false), tag("v2", true)],
      "v4",
      ["v5", "v3"],
    ],
    [
      "a tag whose run GitHub could not show is neither evaluated again nor a boundary",
      [tag("v5", false), tag("v4", undefined), tag("v3", true)],
      undefined,
      ["v5"],
    ],
    ["no recent tags, nothing", [], undefined, []],
  ])("%s", (_name, recent, current, expected) => {
    expect(unannouncedTags(recent, current)).toEqual(expected);
  });
});

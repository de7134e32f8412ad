// Property-based fuzzing of the slash commands (issue 8, "bad input"): `/sdlc-guard waive|revoke` in PR comments and
// `/sdlc-guard refresh` on the org summary issue. Whatever people (or bots) write, parsing never throws, a waiver
// only ever comes from a valid command by a readable approver who is not the PR's author, on a waivable control of
// the PR, with a long enough justification, in an unedited comment; and `refresh` counts only alone on a line.
import fc from "fast-check";
import type { Probot } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { installationCreatedEvent, issueCommentEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { configSchema, controlsSchema } from "../../src/config/schema.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type ControlId } from "../../src/controls/catalogue.js";
import { type TeamMembers } from "../../src/facts/pull-request.js";
import { activeWaivers, parseWaiverCommand, type WaiverCommand, type WaiverContext } from "../../src/controls/waivers.js";
import { type PullRequestComment } from "../../src/facts/pull-request.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

const CONTROL_IDS = Object.keys(controlsSchema.shape) as ControlId[];
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const isSpaceOrTab = (c: string | undefined) => c === " " || c === "\t";

/** Every character of `text` that JavaScript's `\s` (and String#trim) counts as white space. */
const isWhitespace = (c: string) => c.trim() === "";

function expectWellFormed(command: WaiverCommand | null): void {
  if (command === null) return;
  if (command.kind === "malformed") {
    expect(command.reason).toMatch(/^name the control: `\/sdlc-guard (waive|revoke) <control-id>( <justification>)?`$/);
    return;
  }
  expect(command.control.length).toBeGreaterThan(0);
  expect(command.control).toBe(command.control.toLowerCase());
  expect([...command.control].some(isWhitespace)).toBe(false);
  if (command.kind === "waive") {
    // Trimmed, every run of white space (line breaks included) one space.
    expect(command.justification).toBe(command.justification.trim());
    expect(command.justification).not.toMatch(/\s\s|[^\S ]/);
  }
}

/** The first line of the comment with something other than white space on it, as GitHub users see "the first line". */
const firstContentLine = (body: string): string | undefined => body.split("\n").find((line) => line.trim() !== "");

/** What a body says to be a command at all: its first non-blank line starts with `/sdlc-guard` and a space or tab. */
function startsWithCommand(body: string): boolean {
  const line = firstContentLine(body)?.trimStart() ?? "";
  return asciiLower(line.slice(0, 11)) === "/sdlc-guard" && isSpaceOrTab(line[11]);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const whitespace = fc.constantFrom(" ", "\t", "\n", "\r\n", "  ", "\u00a0", "\u2003", "\u3000", "\ufeff", "\v", "\f");
const blanks = fc.array(whitespace, { maxLength: 4 }).map((parts) => parts.join(""));
const spaceOrTabs = fc.array(fc.constantFrom(" ", "\t"), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(""));
const randomCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));
const word = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9.,:;!?'()#-]{1,12}$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).map((s) => [...s].filter((c) => !isWhitespace(c)).join("") || "x"),
);
const controlName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CONTROL_IDS) },
  { weight: 1, arbitrary: fc.constantFrom("JIRA", "Reviews", "jira,", "nope", "secret_scanning", "-jira", "/jira") },
);

/** A command as people write it: blank lines before, any case, spaces or tabs between words, more lines after. */
const commandBody = fc
  .record({
    before: fc.array(blanks, { maxLength: 3 }).map((lines) => lines.map((l) => `${l.replace(/\n|\r/g, "")}\n`).join("")),
    indent: fc.array(fc.constantFrom(" ", "\t", "\u00a0"), { maxLength: 2 }).map((p) => p.join("")),
    prefix: randomCase("/sdlc-guard"),
    verb: fc.constantFrom("waive", "revoke").chain((verb) => randomCase(verb)),
    gap1: spaceOrTabs,
    control: controlName,
    gap2: spaceOrTabs,
    words: fc.array(word, { maxLength: 12 }),
    separators: fc.array(whitespace, { minLength: 12, maxLength: 12 }),
  })
  .map(({ before, indent, prefix, verb, gap1, control, gap2, words, separators }) => {
    const justification = words.map((w, i) => (i ? separators[i]! : "") + w).join("");
    return {
      body: `${before}${indent}${prefix}${gap1}${verb}${gap2}${control}${gap1}${justification}`,
      verb: verb.toLowerCase(),
      control: control.toLowerCase(),
      words,
    };
  });

/** Comments that look like commands without being one, and comments that are not commands at all. */
const bodyToken = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "/sdlc-guard",
      "/SDLC-GUARD",
      "sdlc-guard",
      "/sdlc-guard:",
      "/sdlc-guardwaive",
      "waive",
      "revoke",
      "refresh",
      "jira",
      "reviews",
      "please",
      "> ",
      "```",
      "`",
      "-",
      "\\",
    ),
  },
  { weight: 3, arbitrary: whitespace },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
);
const anyBody = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.array(bodyToken, { maxLength: 30 }).map((t) => t.join("")),
  commandBody.map((c) => c.body),
  fc.tuple(fc.constantFrom("> ", "please ", "`", "```\n", "x", "- "), commandBody).map(([lead, c]) => lead + c.body.trimStart()),
);

// ---------------------------------------------------------------------------------------------------------------

describe("fuzz: parseWaiverCommand", () => {
  it("never throws on any comment, and returns null or a well-formed command", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        let command: WaiverCommand | null = null;
        expect(() => {
          command = parseWaiverCommand(body);
        }).not.toThrow();
        expectWellFormed(command);
      }),
      { numRuns: 1000 },
    );
  });

  it("finds a command only on the first non-blank line, never inside a sentence, a quote or a code block", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const command = parseWaiverCommand(body);
        if (command !== null) expect(startsWithCommand(body)).toBe(true);
        const line = asciiLower(firstContentLine(body)?.trimStart() ?? "");
        if (startsWithCommand(body) && /^\/sdlc-guard[ \t]+(waive|revoke)(?![A-Za-z0-9_])/.test(line)) expect(command).not.toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("reads what people write: the verb and control in any case, the justification with its white space collapsed", () => {
    fc.assert(
      fc.property(commandBody, ({ body, verb, control, words }) => {
        const command = parseWaiverCommand(body);
        if (verb === "revoke") expect(command).toEqual({ kind: "revoke", control });
        else expect(command).toEqual({ kind: "waive", control, justification: words.join(" ").trim() });
      }),
      { numRuns: 1000 },
    );
  });

  // Completes within the test's timeout (no timing assertion: benchmarks measure speed).
  it("finishes on long comments of white space and near-commands (GitHub allows 65,536 characters)", () => {
    const filler = fc.constantFrom(" ", "\t", "\n", " \n", "\t\n ", "/sdlc-guard ", "waive ", "\u00a0");
    fc.assert(
      fc.property(
        fc.constantFrom("", "/sdlc-guard waive jira ", "/sdlc-guard\t", "\n/sdlc-guard revoke "),
        filler,
        fc.constantFrom("", "x", "\n"),
        (head, unit, tail) => {
          const body = head + unit.repeat(Math.floor(65_000 / unit.length)) + tail;
          expectWellFormed(parseWaiverCommand(body));
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// activeWaivers

const LOGINS = ["lead-lina", "Lead-Lou", "cto-carl", "dev-alice", "dev-dave", "release-bot", "renovate[bot]"];
const TEAMS = ["acme/tech-leads", "acme/cto", "acme/devs"];
const MEMBERS: Record<string, string[]> = {
  "acme/tech-leads": ["lead-lina", "lead-lou"],
  "acme/cto": ["cto-carl", "lead-lina"],
  "acme/devs": ["dev-alice", "dev-dave", "lead-lou"],
};

const waiverContext = fc
  .record({
    prAuthor: fc.constantFrom(...LOGINS).chain(randomCase),
    approvers: fc.subarray(TEAMS),
    minJustification: fc.integer({ min: 1, max: 60 }),
    nonWaivable: fc.subarray(CONTROL_IDS),
    unreadable: fc.subarray(TEAMS, { maxLength: 1 }),
    controls: fc.subarray(CONTROL_IDS, { minLength: 1 }),
  })
  .map(({ prAuthor, approvers, minJustification, nonWaivable, unreadable, controls }): WaiverContext => {
    const config = configSchema.parse({
      exceptions: { approvers, min_justification_length: minJustification, non_waivable: nonWaivable },
    }).exceptions;
    const approverTeams: TeamMembers = new Map(
      TEAMS.map((team) => [
        team,
        unreadable.includes(team) ? unavailable<ReadonlySet<string>>("HTTP 502") : fetched<ReadonlySet<string>>(new Set(MEMBERS[team])),
      ]),
    );
    return { prAuthor, config, approverTeams, controls };
  });

const justification = fc.oneof(
  fc.array(word, { maxLength: 15 }).map((words) => words.join(" ")),
  fc.stringMatching(/^[a-z ]{0,80}$/),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);
const commentBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom("waive", "revoke", "WAIVE"), controlName, justification)
      .map(([verb, control, why]) => `/sdlc-guard ${verb} ${control} ${why}`),
  },
  { weight: 1, arbitrary: anyBody },
);
const MINUTES = ["10:00", "10:01", "10:02", "10:03"];
const comments = fc
  .array(
    fc.record({
      author: fc.option(fc.record({ login: fc.constantFrom(...LOGINS).chain(randomCase), bot: fc.boolean() }), { freq: 10 }),
      body: commentBody,
      minute: fc.constantFrom(...MINUTES),
      edited: fc.boolean(),
    }),
    { maxLength: 12 },
  )
  .map((drafts) =>
    drafts.map((d, i): PullRequestComment => ({
      id: 1000 + i,
      url: `https://github.com/acme/payments/pull/7#issuecomment-${1000 + i}`,
      author: d.author && { login: d.author.login, bot: d.author.bot || d.author.login.endsWith("[bot]") },
      body: d.body,
      createdAt: `2026-11-20T${d.minute}:00Z`,
      edited: d.edited,
    })),
  );

const isReadableApprover = (login: string, ctx: WaiverContext) =>
  ctx.config.approvers.some((team) => {
    const members = ctx.approverTeams.get(team);
    return members?.ok === true && members.value.has(login.toLowerCase());
  });

describe("fuzz: activeWaivers", () => {
  it("never throws, and every waiver in force comes from a valid waive by a readable approver who is not the author, on a waivable control, unedited, justified", () => {
    let granted = 0;
    fc.assert(
      fc.property(comments, waiverContext, (list, ctx) => {
        const { waivers, refused } = activeWaivers(list, ctx);
        granted += waivers.size;
        for (const [control, waiver] of waivers) {
          const comment = list.find((c) => c.url === waiver.url)!;
          expect(comment).toBeDefined();
          expect(comment.author).not.toBeNull();
          expect(comment.author!.bot).toBe(false);
          expect(comment.edited).toBe(false);
          expect(waiver.by).toBe(comment.author!.login);
          expect(waiver.at).toBe(comment.createdAt);
          expect(waiver.by.toLowerCase()).not.toBe(ctx.prAuthor.toLowerCase());
          expect(isReadableApprover(waiver.by, ctx)).toBe(true);
          expect(waiver.control).toBe(control);
          expect(ctx.controls).toContain(control);
          expect(ctx.config.non_waivable).not.toContain(control);
          expect(waiver.justification.length).toBeGreaterThanOrEqual(ctx.config.min_justification_length);
          expect(parseWaiverCommand(comment.body)).toEqual({ kind: "waive", control, justification: waiver.justification });
          expect(refused.some((r) => r.comment === comment)).toBe(false);
        }
        for (const { comment, reason } of refused) {
          expect(list).toContain(comment);
          expect(typeof reason).toBe("string");
          expect(reason.trim()).not.toBe("");
          expect(parseWaiverCommand(comment.body)).not.toBeNull();
        }
        // A comment that is not a command is neither a waiver nor refused.
        const commands = list.filter((c) => parseWaiverCommand(c.body) !== null);
        expect(refused.length + waivers.size).toBeLessThanOrEqual(commands.length);
      }),
      { numRuns: 600 },
    );
    // Not vacuous: the generated comments do grant waivers (about one run in five).
    expect(granted).toBeGreaterThan(0);
  });

  it("with no approver team configured, or every approver team unreadable, nothing is ever waived", () => {
    fc.assert(
      fc.property(comments, waiverContext, fc.boolean(), (list, ctx, none) => {
        const approverTeams: TeamMembers = new Map(TEAMS.map((team) => [team, unavailable<ReadonlySet<string>>("HTTP 502")]));
        const blind = none ? { ...ctx, config: { ...ctx.config, approvers: [] } } : { ...ctx, approverTeams };
        expect(activeWaivers(list, blind).waivers.size).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("the order GitHub lists the comments in does not matter: they are taken in the order they were written", () => {
    fc.assert(
      fc.property(
        comments.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
        ),
        waiverContext,
        ([list, shuffled], ctx) => {
          const a = activeWaivers(list, ctx);
          const b = activeWaivers(shuffled, ctx);
          expect([...b.waivers.entries()]).toEqual([...a.waivers.entries()]);
          expect(b.refused.map((r) => [r.comment.id, r.reason])).toEqual(a.refused.map((r) => [r.comment.id, r.reason]));
        },
      ),
      { numRuns: 500 },
    );
  });

  // BUG (low severity): waivers.ts measures the justification in UTF-16 code units (`justification.length`), while
  // `min_justification_length` is documented as characters (and commit-messages counts code points). A justification
  // of astral characters passes with half the characters. Minimal counterexample: min_justification_length 3, the
  // comment "/sdlc-guard waive jira 🙏🙏" by an approver → waived with a 2-character justification (4 code units);
  // likewise with 20, ten emoji pass.
  // Unskip once the length is counted in code points (`Array.from(justification).length`).
  it("a justification is at least min_justification_length characters (code points), whatever the script", () => {
    const astral = fc.string({ unit: fc.constantFrom("🙏", "𝔸", "😀", "𠀀", "a", " "), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(astral, fc.integer({ min: 1, max: 40 }), (why, min) => {
        const config = configSchema.parse({ exceptions: { approvers: ["acme/tech-leads"], min_justification_length: min } }).exceptions;
        const ctx: WaiverContext = {
          prAuthor: "dev-alice",
          config,
          approverTeams: new Map([["acme/tech-leads", fetched(new Set(["lead-lina"]))]]),
          controls: ["jira"],
        };
        const comment: PullRequestComment = {
          id: 1,
          url: "https://github.com/acme/payments/pull/7#issuecomment-1",
          author: { login: "lead-lina", bot: false },
          body: `/sdlc-guard waive jira ${why}`,
          createdAt: "2026-11-20T10:00:00Z",
          edited: false,
        };
        for (const waiver of activeWaivers([comment], ctx).waivers.values())
          expect(Array.from(waiver.justification).length).toBeGreaterThanOrEqual(min);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// `/sdlc-guard refresh`: the regex is private to the handler, so the properties go through the app, as GitHub would
// deliver the comment. A comment the handler takes for the command costs GitHub requests (the config, the summary
// issues, the commenter's access) and, for an outsider, a polite refusal; any other comment costs none.

/** CommonMark's line endings: \r\n, \n and a lone \r. */
const markdownLines = (body: string) => body.split(/\r\n|\n|\r/);

/** `/sdlc-guard refresh` alone on a line: spaces and tabs around and between the words, any ASCII case. */
function isRefreshLine(line: string): boolean {
  let i = 0;
  while (isSpaceOrTab(line[i])) i++;
  if (asciiLower(line.slice(i, i + 11)) !== "/sdlc-guard") return false;
  i += 11;
  if (!isSpaceOrTab(line[i])) return false;
  while (isSpaceOrTab(line[i])) i++;
  if (asciiLower(line.slice(i, i + 7)) !== "refresh") return false;
  i += 7;
  while (isSpaceOrTab(line[i])) i++;
  return i === line.length;
}
const asksForRefresh = (body: string) => markdownLines(body).some(isRefreshLine);

const refreshToken = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "/sdlc-guard",
      "/SDLC-Guard",
      "refresh",
      "REFRESH",
      "refreshed",
      "/sdlc-guard refresh",
      "/sdlc-guardrefresh",
      "sdlc-guard refresh",
      "please",
      "`",
      "> ",
      "x",
      "!",
    ),
  },
  { weight: 4, arbitrary: fc.constantFrom(" ", "\t", "  ", "\u00a0", "\v", "\f", "\u3000") },
  { weight: 3, arbitrary: fc.constantFrom("\n", "\r\n", "\r") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const refreshBody = fc.oneof(
  fc.array(refreshToken, { maxLength: 14 }).map((t) => t.join("")),
  fc
    .tuple(
      fc.array(refreshToken, { maxLength: 5 }),
      fc.constantFrom("\n", "\r\n", "\r"),
      spaceOrTabs,
      fc.constantFrom("/sdlc-guard", "/SDLC-GUARD"),
      spaceOrTabs,
      fc.constantFrom("refresh", "Refresh"),
      fc.constantFrom("", " ", "\t", "!", " now"),
    )
    .map(([before, eol, s1, cmd, s2, verb, after]) => `${before.join("")}${eol}${s1}${cmd}${s2}${verb}${after}`),
);

let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `fuzz-refresh-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

async function summaryWorld() {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories: 2 });
  const app = createTestApp(world);
  routeToWorld(world, ["GET", "POST"]);
  await send(app, installationCreatedEvent(world, "acme"));
  const issue = world.issues.list("acme", ".github").find((i) => i.title === SUMMARY_TITLE && i.state === "open")!;
  expect(issue).toBeDefined();
  return { world, app, issue, dotGithub: org.dotGithub.repo };
}

/** Whether the app took the comment for the command: it asked GitHub anything. */
async function tookForRefresh(ctx: Awaited<ReturnType<typeof summaryWorld>>, body: string): Promise<boolean> {
  ctx.world.requests.length = 0;
  // An outsider: a command costs requests and a refusal, never a refresh (no cooldown, no summary rewrite).
  await send(ctx.app, issueCommentEvent(ctx.world, ctx.dotGithub, ctx.issue, { login: "mallory" }, body));
  return ctx.world.requests.some((r) => !r.path.endsWith("/access_tokens"));
}

describe("fuzz: `/sdlc-guard refresh` counts only alone on a line", () => {
  it("the app answers a comment exactly when one of its lines is the command", async () => {
    const ctx = await summaryWorld();
    expect(await tookForRefresh(ctx, "/sdlc-guard refresh")).toBe(true);
    const answered = { yes: 0, no: 0 };
    await fc.assert(
      fc.asyncProperty(refreshBody, async (body) => {
        const took = await tookForRefresh(ctx, body);
        answered[took ? "yes" : "no"]++;
        expect(took).toBe(asksForRefresh(body));
      }),
      { numRuns: 100 },
    );
    // Not vacuous: both kinds of comment were sent.
    expect(answered.yes).toBeGreaterThan(0);
    expect(answered.no).toBeGreaterThan(0);
  });

  it("a 65,000-character comment of blanks and near-commands is answered correctly", async () => {
    const ctx = await summaryWorld();
    expect(await tookForRefresh(ctx, "/sdlc-guard refresh")).toBe(true);
    for (const unit of ["\t", " \n", "/sdlc-guard ", "/sdlc-guard refresh x\n", "refresh "]) {
      const body = unit.repeat(Math.floor(65_000 / unit.length));
      expect(await tookForRefresh(ctx, body)).toBe(asksForRefresh(body));
    }
  }, 60_000);

  // BUG (minor): the handler's regex uses the `m` flag, for which JavaScript also ends a line at U+2028 and U+2029; in
  // the Markdown of the comment those do not end a line, so the command is taken from a line where it is not alone.
  // Counterexample: the comment "/sdlc-guard refresh\u2028now please" (one Markdown line) is answered as a refresh
  // request (fast-check found "\n /sdlc-guard refresh\u2028now please"). Unskip once the regex only splits lines at
  // \r\n, \n and \r (e.g. match each of body.split(/\r\n|\n|\r/)).
  it("U+2028 and U+2029 do not end a line", async () => {
    const ctx = await summaryWorld();
    expect(await tookForRefresh(ctx, "/sdlc-guard refresh")).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        refreshBody,
        fc.constantFrom("\u2028", "\u2029"),
        fc.constantFrom("now please", "x", "/sdlc-guard refresh"),
        async (body, separator, rest) => {
          const withSeparator = `${body}${separator}${rest}`;
          expect(await tookForRefresh(ctx, withSeparator)).toBe(asksForRefresh(withSeparator));
        },
      ),
      { numRuns: 100 },
    );
  });
});

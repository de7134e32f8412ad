import type { NotificationEvent } from "../config/notifications-schema.js";

/** One finding occurrence to tell people about: plain text fields, rendered per channel by the builders below. */
export interface Notification {
  event: NotificationEvent;
  /** Stable per occurrence (repository + control + commit or PR): every delivery of the same finding has the same key. */
  key: string;
  /** owner/repo (or the organisation, for the summary). */
  repository: string;
  /** One line: "Direct push to `main` in acme/payments". */
  title: string;
  /** violation (required), advisory, unverified (could not be evaluated: fails closed), info (waivers). */
  severity: "violation" | "advisory" | "unverified" | "info";
  /** What was found, as label and value (user text included: escaped per channel). */
  facts: { name: string; value: string }[];
  /** A list besides the facts (the summary's newly failing repositories): at most {@link LIST_LIMIT} items shown, `more` counts the rest. */
  list?: { title: string; items: { name: string; value: string }[]; more: number };
  /** Where to read more (the commit, the PR, the issue). */
  url?: string;
  at: string;
}

const SEVERITY_TEXT: Record<Notification["severity"], string> = {
  violation: "Violation",
  advisory: "Advisory finding",
  unverified: "Could not be verified (fails closed)",
  info: "Notice",
};

const MAX_FIELD = 500;
/** Items of a list a message shows (Slack allows 50 blocks; a channel message is read, not searched). */
export const LIST_LIMIT = 20;

/** The list's items shown and how many more there are. */
function listOf(n: Notification): { title: string; items: { name: string; value: string }[]; more: number } | null {
  if (!n.list) return null;
  const items = n.list.items.slice(0, LIST_LIMIT);
  return { title: n.list.title, items, more: n.list.more + n.list.items.length - items.length };
}
const andMore = (more: number): string => `and ${more} more`;
const clip = (text: string): string => (text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD - 1)}…` : text);
/** One line, bounded. */
const oneLine = (text: string): string => clip(text.replace(/\s*[\r\n]+\s*/g, " "));

/** Slack mrkdwn: `&`, `<` and `>` are its only control characters (a `<url|text>` link or `<!channel>` starts with `<`). */
export const slackText = (text: string): string => oneLine(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Teams Adaptive Card text is Markdown: specials escaped with a backslash, so user text links or emphasises nothing. */
export const teamsText = (text: string): string => oneLine(text).replace(/[\\`*_[\]()#<>!~|]/g, "\\$&");

/** A Slack incoming-webhook message: Block Kit blocks, and `text` as the notification fallback. */
export function slackMessage(n: Notification): Record<string, unknown> {
  const title = `${SEVERITY_TEXT[n.severity]}: ${n.title}`;
  const list = listOf(n);
  const listBlocks = list
    ? [
        { type: "section", text: { type: "mrkdwn", text: `*${slackText(list.title)}*` } },
        ...list.items.map((item) => ({
          type: "section",
          text: { type: "mrkdwn", text: `*${slackText(item.name)}*\n${slackText(item.value)}` },
        })),
        ...(list.more > 0 ? [{ type: "context", elements: [{ type: "mrkdwn", text: andMore(list.more) }] }] : []),
      ]
    : [];
  return {
    text: slackText(title),
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(title).slice(0, 150), emoji: false } },
      {
        type: "section",
        fields: n.facts.slice(0, 10).map((fact) => ({ type: "mrkdwn", text: `*${slackText(fact.name)}*\n${slackText(fact.value)}` })),
      },
      ...listBlocks,
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `${slackText(n.repository)} · ${slackText(n.event)} · ${slackText(n.at)}${n.url ? ` · <${n.url}|details>` : ""}`,
          },
        ],
      },
    ],
  };
}

/** A Microsoft Teams Workflows ("When a Teams webhook request is received") message: one Adaptive Card 1.4. */
export function teamsMessage(n: Notification): Record<string, unknown> {
  const list = listOf(n);
  const listBody = list
    ? [
        { type: "TextBlock", weight: "Bolder", wrap: true, text: teamsText(list.title) },
        { type: "FactSet", facts: list.items.map((item) => ({ title: teamsText(item.name), value: teamsText(item.value) })) },
        ...(list.more > 0 ? [{ type: "TextBlock", wrap: true, text: andMore(list.more) }] : []),
      ]
    : [];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              size: "Medium",
              weight: "Bolder",
              wrap: true,
              color: n.severity === "info" ? "Default" : "Attention",
              text: teamsText(`${SEVERITY_TEXT[n.severity]}: ${n.title}`),
            },
            { type: "FactSet", facts: n.facts.map((fact) => ({ title: teamsText(fact.name), value: teamsText(fact.value) })) },
            ...listBody,
            { type: "TextBlock", isSubtle: true, wrap: true, text: teamsText(`${n.repository} · ${n.event} · ${n.at}`) },
          ],
          ...(n.url ? { actions: [{ type: "Action.OpenUrl", title: "Details", url: n.url }] } : {}),
        },
      },
    ],
  };
}

/** The generic webhook's JSON body (signed by the sender): the notification as data, text unescaped. */
export function webhookMessage(n: Notification): Record<string, unknown> {
  return {
    event: n.event,
    occurrence: n.key,
    repository: n.repository,
    severity: n.severity,
    title: n.title,
    facts: Object.fromEntries(n.facts.map((fact) => [fact.name, fact.value])),
    ...(n.list ? { list: listOf(n) } : {}),
    url: n.url ?? null,
    at: n.at,
  };
}

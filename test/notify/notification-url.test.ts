import { pino, type Logger } from "pino";
import { InMemorySharedState } from "../../src/evaluation/shared-state.js";
import { Notifier, notificationsSent } from "../../src/notify/notifier.js";
import { startReceiver } from "../support/notification-receiver.js";
import { checkNotificationUrl } from "../../src/notify/notification-url.js";
import { slackText, teamsText } from "../../src/report/notification-messages.js";

const publicHost = async () => ["52.1.2.3"];
const internalHost = async () => ["52.1.2.3", "10.0.0.8"];

describe("a notification URL must be https to a public address", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/x", publicHost, true, ""],
    ["http://hooks.slack.com/services/T0/B0/x", publicHost, false, "not https"],
    ["https://localhost/hook", publicHost, false, "a loopback host"],
    ["https://api.localhost/hook", publicHost, false, "a loopback host"],
    ["https://127.0.0.1/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://10.1.2.3/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://172.16.0.1/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://192.168.1.1/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://169.254.169.254/latest/meta-data", publicHost, false, "a loopback, private or link-local address"],
    ["https://[::1]/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://[fd00::1]/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://[::ffff:127.0.0.1]/hook", publicHost, false, "a loopback, private or link-local address"],
    ["https://8.8.8.8/hook", publicHost, true, ""],
    ["https://rebind.example/hook", internalHost, false, "a host resolving to a loopback, private or link-local address"],
    ["https://user:pw@hooks.slack.com/x", publicHost, false, "a URL with credentials"],
    ["not a url", publicHost, false, "not a URL"],
  ])("%s → allowed: %s", async (url, resolve, ok, reason) => {
    const checked = await checkNotificationUrl(url, false, resolve);
    expect(checked.ok).toBe(ok);
    if (!checked.ok) expect(checked.reason).toBe(reason);
  });

  it("the testing flag allows http and loopback, never another scheme", async () => {
    expect((await checkNotificationUrl("http://127.0.0.1:8080/hook", true)).ok).toBe(true);
    expect(await checkNotificationUrl("file:///etc/passwd", true)).toEqual({ ok: false, reason: "not http(s)" });
  });
});

describe("user text in a message cannot become markup", () => {
  it.each([
    ["<!channel> <https://evil.example|click>", "&lt;!channel&gt; &lt;https://evil.example|click&gt;"],
    ["a & b\nsecond line", "a &amp; b second line"],
  ])("Slack: %j", (text, shown) => expect(slackText(text)).toBe(shown));

  it.each([
    ["[click](https://evil.example)", "\\[click\\]\\(https://evil.example\\)"],
    ["**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"],
  ])("Teams: %j", (text, shown) => expect(teamsText(text)).toBe(shown));
});

describe("shutdown waits for queued notifications", () => {
  it("notificationsSent resolves once the queued message reached its receiver", async () => {
    const receiver = await startReceiver([500]);
    try {
      const notifier = new Notifier({
        claims: new InMemorySharedState(),
        log: pino({ level: "silent" }) as Logger,
        env: { SDLC_GUARD_NOTIFY_HOOK: receiver.url },
        allowInternalUrls: true,
        retryBaseMs: 1,
      });
      const notification = {
        event: "direct-push",
        key: "k",
        repository: "acme/payments",
        title: "t",
        severity: "violation",
        facts: [],
        at: "now",
      } as const;
      notifier.notify({ channels: [{ type: "slack", url_env: "SDLC_GUARD_NOTIFY_HOOK", events: [] }] }, { ...notification, facts: [] });

      await notificationsSent();

      expect(receiver.attempts()).toBe(2);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe("a channel reads only SDLC_GUARD_NOTIFY_ variables, even given a config that skipped the schema", () => {
  it.each([
    [{ type: "slack", url_env: "WEBHOOK_SECRET", events: [] }, "WEBHOOK_SECRET is refused: not a SDLC_GUARD_NOTIFY_ variable"],
    [
      { type: "webhook", url_env: "SDLC_GUARD_NOTIFY_HOOK", secret_env: "WEBHOOK_SECRET", events: [] },
      "WEBHOOK_SECRET is refused: not a SDLC_GUARD_NOTIFY_ variable",
    ],
  ] as const)("%j is not sent", async (channel, reason) => {
    const receiver = await startReceiver([]);
    const warnings: Record<string, unknown>[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
    try {
      const notifier = new Notifier({
        claims: new InMemorySharedState(),
        log: log as Logger,
        env: { WEBHOOK_SECRET: receiver.url, SDLC_GUARD_NOTIFY_HOOK: receiver.url },
        allowInternalUrls: true,
        retryBaseMs: 1,
      });
      const notification = {
        event: "direct-push",
        key: "k2",
        repository: "acme/payments",
        title: "t",
        severity: "violation",
        at: "now",
      } as const;
      notifier.notify({ channels: [{ ...channel, events: [] }] }, { ...notification, facts: [] });

      await notificationsSent();

      expect(receiver.attempts()).toBe(0);
      expect(warnings).toEqual([expect.objectContaining({ msg: "notification failed", reason })]);
    } finally {
      await receiver.close();
    }
  });
});

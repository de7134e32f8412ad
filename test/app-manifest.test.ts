import { readFileSync, readdirSync } from "node:fs";
import { load } from "js-yaml";

// app.yml is what an org installs: every event a handler listens to must be delivered, and nothing more is asked.
const manifest = load(readFileSync("app.yml", "utf8")) as { default_permissions: Record<string, string>; default_events: string[] };
const handlerSources = readdirSync("src/handlers")
  .map((f) => readFileSync(`src/handlers/${f}`, "utf8"))
  .join("\n");

describe("app.yml: least privilege, every event handled", () => {
  it("every event in the manifest has a handler, and every handled event is in the manifest", () => {
    for (const event of manifest.default_events) expect(handlerSources).toContain(`"${event}`);
    const handled = [...handlerSources.matchAll(/app\.on\(\s*\[?([^)]*?)\]?,\s*(?:async )?\(/g)].flatMap((m) =>
      [...m[1]!.matchAll(/"([a-z_]+)/g)].map((e) => e[1]!),
    );
    expect(handled.length).toBeGreaterThan(10);
    // GitHub delivers installation events to every app: they are not (and cannot be) subscribed in the manifest.
    const subscribable = handled.filter((event) => !["installation", "installation_repositories"].includes(event));
    expect(subscribable.length).toBeLessThan(handled.length);
    for (const event of subscribable) expect(manifest.default_events).toContain(event);
  });

  it("asks for read access everywhere except the check runs, violation and summary issues, waiver replies and deployment reviews it writes", () => {
    expect(manifest.default_permissions).toEqual({
      checks: "write",
      issues: "write",
      deployments: "write",
      actions: "read",
      statuses: "read",
      merge_queues: "read",
      pull_requests: "write",
      contents: "read",
      administration: "read",
      secret_scanning_alerts: "read",
      vulnerability_alerts: "read",
      security_events: "read",
      metadata: "read",
      members: "read",
      organization_administration: "read",
    });
  });
});

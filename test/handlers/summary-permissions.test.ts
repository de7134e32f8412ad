import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { Probot } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { installationCreatedEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";

const appYml = load(readFileSync("app.yml", "utf8")) as { default_permissions: Record<string, "read" | "write"> };
let delivery = 0;
const send = (app: Probot, event: WebhookEvent) =>
  app.receive({ id: `summary-permissions-${++delivery}`, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);

async function summaryWith(permissions: Record<string, "read" | "write">) {
  const world = new GitHubWorld();
  world.installationPermissions = permissions;
  const org = buildOrg(world, { repositories: 14 });
  const app = createTestApp(world, { now: () => new Date(org.now) });
  routeToWorld(world, ["GET", "POST"]);
  await send(app, installationCreatedEvent(world, "acme"));
  const [issue] = world.issues.list("acme", ".github").filter((i) => i.title === SUMMARY_TITLE && i.state === "open");
  const defaultSetupOnly = org.repositories.find((b) => !b.archived && b.codeScanning === "default-setup")!;
  return { body: issue!.body, defaultSetupOnly: defaultSetupOnly.name, world };
}

describe("the org summary names a missing optional permission instead of saying unavailable", () => {
  it("installed with app.yml's permissions (organisation administration: read), code scanning default setup is unknown because the optional write is not granted", async () => {
    const { body, defaultSetupOnly, world } = await summaryWith(appYml.default_permissions);

    expect(world.requests.some((r) => r.path.startsWith("/orgs/acme/code-security/configurations"))).toBe(true);
    expect(body).toMatch(
      new RegExp(`<b>${defaultSetupOnly}</b>[^]*?needs the optional permission organization\\\\?_administration: write; granted: read`), // eslint-disable-line no-restricted-syntax -- test literal
    );
    expect(body).not.toContain("Resource not accessible by integration");
  });

  it("with organisation administration: write granted, default setup is seen", async () => {
    const { body, defaultSetupOnly } = await summaryWith({ ...appYml.default_permissions, organization_administration: "write" });

    expect(body).not.toContain("needs the optional permission");
    expect(body).not.toContain("Code-scanning setup could not be read");
    expect(body).toContain(`| [${defaultSetupOnly}](https://github.com/acme/${defaultSetupOnly}) | ✅ compliant |`);
  });
});

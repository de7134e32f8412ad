import nock from "nock";
import { createJiraClient, jiraSettingsFromEnv } from "../../src/jira/jira-client.js";

const JIRA = "https://acme.atlassian.example";
const client = (timeoutMs = 2_000) => createJiraClient({ baseUrl: JIRA, email: "bot@acme.example", apiToken: "t0ken", timeoutMs });

describe("the Jira client", () => {
  it("an existing issue is returned with its status, asked with basic auth", async () => {
    nock(JIRA, { reqheaders: { authorization: `Basic ${Buffer.from("bot@acme.example:t0ken").toString("base64")}` } })
      .get("/rest/api/3/issue/PAY-1")
      .query({ fields: "status" })
      .reply(200, { key: "PAY-1", fields: { status: { name: "In Progress" } } });

    await expect(client().getIssue("PAY-1")).resolves.toEqual({ ok: true, value: { key: "PAY-1", status: "In Progress" } });
  });

  it("an issue Jira does not know is null, not an error", async () => {
    nock(JIRA)
      .get("/rest/api/3/issue/PAY-2")
      .query(true)
      .reply(404, { errorMessages: ["Issue does not exist"] });
    await expect(client().getIssue("PAY-2")).resolves.toEqual({ ok: true, value: null });
  });

  it.each([
    [503, "Jira unreachable (HTTP 503)"],
    [401, "Jira refused the credentials (HTTP 401); check JIRA_EMAIL and JIRA_API_TOKEN"],
  ])("HTTP %i is an outage, never a pass", async (status, error) => {
    nock(JIRA).get("/rest/api/3/issue/PAY-3").query(true).reply(status, {});
    await expect(client().getIssue("PAY-3")).resolves.toEqual({ ok: false, error });
  });

  it("no answer within the timeout is 'Jira unreachable'", async () => {
    nock(JIRA).get("/rest/api/3/issue/PAY-4").query(true).delay(2_000).reply(200, {});
    await expect(client(100).getIssue("PAY-4")).resolves.toEqual({ ok: false, error: "Jira unreachable (no answer within 100 ms)" });
  });

  it("a connection error is 'Jira unreachable'", async () => {
    nock(JIRA).get("/rest/api/3/issue/PAY-5").query(true).replyWithError("connect ECONNREFUSED");
    const result = await client().getIssue("PAY-5");
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.error).toMatch(/^Jira unreachable \(/);
  });

  it("an answer that is not JSON is 'Jira unreachable'", async () => {
    nock(JIRA).get("/rest/api/3/issue/PAY-6").query(true).reply(200, "<html>login</html>", { "content-type": "text/html" });
    await expect(client().getIssue("PAY-6")).resolves.toEqual({ ok: false, error: "Jira unreachable (the answer was not JSON)" });
  });

  it("is configured only when all three variables are set", () => {
    expect(jiraSettingsFromEnv({ JIRA_BASE_URL: JIRA, JIRA_EMAIL: "a@b" })).toBeUndefined();
    expect(jiraSettingsFromEnv({ JIRA_BASE_URL: `${JIRA}/`, JIRA_EMAIL: "a@b", JIRA_API_TOKEN: "t" })).toEqual({
      baseUrl: JIRA,
      email: "a@b",
      apiToken: "t",
      timeoutMs: 5000,
    });
    expect(jiraSettingsFromEnv({ JIRA_BASE_URL: JIRA, JIRA_EMAIL: "a@b", JIRA_API_TOKEN: "t", JIRA_TIMEOUT_MS: "750" })!.timeoutMs).toBe(
      750,
    );
    expect(jiraSettingsFromEnv({ JIRA_BASE_URL: JIRA, JIRA_EMAIL: "a@b", JIRA_API_TOKEN: "t", JIRA_TIMEOUT_MS: "-1" })!.timeoutMs).toBe(
      5000,
    );
  });
});

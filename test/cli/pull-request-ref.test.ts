import { githubBaseUrl } from "../../src/cli/github-client.js";
import { parsePullRequestRef } from "../../src/cli/pull-request-ref.js";

describe("parsePullRequestRef", () => {
  it.each([
    ["acme/payments#123", { owner: "acme", repo: "payments", number: 123 }],
    ["  acme/payments#7 ", { owner: "acme", repo: "payments", number: 7 }],
    ["my-org/my.repo_v2#1", { owner: "my-org", repo: "my.repo_v2", number: 1 }],
    ["https://github.com/acme/payments/pull/123", { owner: "acme", repo: "payments", number: 123 }],
    ["https://github.com/acme/payments/pull/123/files", { owner: "acme", repo: "payments", number: 123 }],
    ["https://www.github.com/acme/payments/pull/123#discussion_r1", { owner: "acme", repo: "payments", number: 123 }],
    ["https://GitHub.com/acme/payments/pull/9/", { owner: "acme", repo: "payments", number: 9 }],
  ])("accepts %p", (text, expected) => {
    expect(parsePullRequestRef(text)).toEqual(expected);
  });

  it.each([
    ["acme/payments", "is not a pull request"],
    ["acme/payments#x", "is not a pull request"],
    ["acme/payments#-1", "is not a pull request"],
    ["acme/payments#012", "is not a pull request"],
    ["acme#12", "is not a pull request"],
    ["acme/pay/ments#12", "is not a pull request"],
    ["acme/payments#12 extra", "is not a pull request"],
    ["-acme/payments#12", "is not a pull request"],
    ["acme/..#12", "does not name a repository"],
    ["acme/payments#99999999999", "is not a pull request"],
    ["acme/payments#3000000000", "pull request number 3000000000 is out of range"],
    ["https://github.com/acme/payments/issues/12", "is not a pull request"],
    ["https://github.com/acme/payments", "is not a pull request"],
    ["https://evil.example/acme/payments/pull/1", "is on evil.example, but this command talks to github.com"],
    ["", "is not a pull request"],
  ])("rejects %p", (text, message) => {
    expect(() => parsePullRequestRef(text)).toThrow(message);
  });

  it("takes a GitHub Enterprise Server address only for the configured host", () => {
    expect(parsePullRequestRef("https://ghe.example.com/acme/payments/pull/5", "ghe.example.com")).toEqual({
      owner: "acme",
      repo: "payments",
      number: 5,
    });
    expect(() => parsePullRequestRef("https://github.com/acme/payments/pull/5", "ghe.example.com")).toThrow(
      "is on github.com, but this command talks to ghe.example.com",
    );
  });
});

describe("githubBaseUrl", () => {
  it("is api.github.com, or GHE_HOST's /api/v3 over GHE_PROTOCOL (https by default), as in Probot", () => {
    expect(githubBaseUrl({})).toBe("https://api.github.com");
    expect(githubBaseUrl({ GHE_HOST: "ghe.example.com" })).toBe("https://ghe.example.com/api/v3");
    expect(githubBaseUrl({ GHE_HOST: "127.0.0.1:8080", GHE_PROTOCOL: "http" })).toBe("http://127.0.0.1:8080/api/v3");
    expect(() => githubBaseUrl({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "gopher" })).toThrow(
      'GHE_PROTOCOL must be https or http, not "gopher"',
    );
  });
});

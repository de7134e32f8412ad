import { RequestTimeoutError, secondaryRateLimitWait } from "../../src/github/transport/harden-requests.js";
import { describeFailure, describeGitHubError, httpStatus } from "../../src/common/describe-error.js";

describe("secondary rate limits", () => {
  it.each([
    ["403 with retry-after", { status: 403, response: { headers: { "retry-after": "30" } } }, 30],
    ["429 with retry-after", { status: 429, response: { headers: { "retry-after": "0" } } }, 0],
    ["403 without retry-after (a permission problem, not a limit)", { status: 403, response: { headers: {} } }, undefined],
    ["502 with retry-after (left to the retry plugin)", { status: 502, response: { headers: { "retry-after": "5" } } }, undefined],
    ["a non-numeric retry-after", { status: 429, response: { headers: { "retry-after": "soon" } } }, undefined],
  ])("%s", (_name, error, wait) => {
    expect(secondaryRateLimitWait(error)).toBe(wait);
  });

  const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
  it.each([
    ["a 403 saying so, first retry: a minute", { status: 403, response: { headers: {}, data: { message: SECONDARY } } }, 0, 60],
    ["a 403 saying so, second retry: twice as long", { status: 403, response: { headers: {}, data: { message: SECONDARY } } }, 1, 120],
    [
      "a 403 saying so only in the error's message",
      { status: 403, message: `${SECONDARY} - https://docs.github.com`, response: { headers: {} } },
      2,
      240,
    ],
    ["a 429 without retry-after", { status: 429, response: { headers: {} } }, 0, 60],
    [
      "a 403 about permissions (not a limit)",
      { status: 403, response: { headers: {}, data: { message: "Resource not accessible by integration" } } },
      0,
      undefined,
    ],
    [
      "retry-after wins over the backoff",
      { status: 403, response: { headers: { "retry-after": "5" }, data: { message: SECONDARY } } },
      3,
      5,
    ],
  ])("without retry-after: %s", (_name, error, attempt, wait) => {
    expect(secondaryRateLimitWait(error, attempt)).toBe(wait);
  });
});

describe("describing a failed GitHub request without secrets", () => {
  it.each([
    [
      "an HTTP error",
      Object.assign(new Error("Server Error - https://docs.github.com"), { status: 502 }),
      "GitHub answered HTTP 502 (Server Error)",
    ],
    ["a deadline", new RequestTimeoutError(1500), "GitHub did not answer in time (no answer within 1500 ms)"],
    [
      "a GraphQL error",
      Object.assign(new Error("x"), { name: "GraphqlResponseError", errors: [{ message: "Could not resolve to a Repository" }] }),
      "GitHub GraphQL error: Could not resolve to a Repository",
    ],
    ["anything else", new Error("socket hang up"), "GitHub request failed (socket hang up)"],
  ])("%s", (_name, error, description) => {
    expect(describeGitHubError(error)).toBe(description);
  });

  it.each([
    [
      "an HTTP error",
      Object.assign(new Error("Not Found - https://docs.github.com"), { status: 404 }),
      "GitHub answered HTTP 404 (Not Found)",
    ],
    ["a deadline", new RequestTimeoutError(1500), "GitHub did not answer in time (no answer within 1500 ms)"],
    [
      "a spent rate limit",
      Object.assign(new Error("GitHub's rate limit is exhausted until 15:42 UTC (REST API)"), { name: "PrimaryRateLimitError" }),
      "GitHub's rate limit is exhausted until 15:42 UTC (REST API)",
    ],
    [
      "not from GitHub",
      new Error("Cannot read properties of undefined (reading 'name')"),
      "Cannot read properties of undefined (reading 'name')",
    ],
    ["not even an Error", "disk full", "disk full"],
  ])("a failure of a command: %s, in its own words", (_name, error, description) => {
    expect(describeFailure(error)).toBe(description);
  });

  it("reads the HTTP status only when there is one", () => {
    expect(httpStatus({ status: 404 })).toBe(404);
    expect(httpStatus(new Error("no status"))).toBeUndefined();
  });
});

import nock from "nock";
import { worldsInTest } from "../support/github-mock.js";

// No test may reach the network: only loopback (the simulator, the app's own server) is allowed.
// Every mock a test declares must be used, and no request may go unmatched.
const unmatched: string[] = [];
nock.emitter.on("no match", (req: { method?: string; path?: string; options?: { path?: string } }) => {
  unmatched.push(`${req.method ?? "?"} ${req.path ?? req.options?.path ?? "?"}`);
});

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

afterEach(() => {
  const pending = nock.pendingMocks();
  const stray = unmatched.splice(0);
  nock.cleanAll();
  const violations = worldsInTest.splice(0).flatMap((w) => w.violations);
  expect({ unusedMocks: pending, unmatchedRequests: stray, violations }).toEqual({ unusedMocks: [], unmatchedRequests: [], violations: [] });
});

import nock from "nock";
import { cancelDeferredEvaluations } from "../support/app-memories.js";
import { worldsInTest } from "../support/github-mock.js";

// No test may reach the network: only loopback (the simulator, the app's own server) is allowed.
// Every mock a test declares must be used, and no request may go unmatched.
const unmatched: string[] = [];
const LOOPBACK = /^(127\.0\.0\.1|localhost)(:\d+)?$/;
type NoMatch = {
  method?: string;
  path?: string;
  host?: string;
  hostname?: string;
  options?: { path?: string; host?: string; hostname?: string };
};
nock.emitter.on("no match", (req: NoMatch) => {
  const host = req.hostname ?? req.host ?? req.options?.hostname ?? req.options?.host ?? "";
  if (LOOPBACK.test(host)) return; // allowed to pass through: the simulator and the app's own server
  unmatched.push(`${req.method ?? "?"} ${host}${req.path ?? req.options?.path ?? "?"}`);
});

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(LOOPBACK);
});

afterEach(() => {
  // A re-evaluation an app deferred past a rate limit would otherwise run during a later test, against its mocks.
  cancelDeferredEvaluations();
  const pending = nock.pendingMocks();
  const stray = unmatched.splice(0);
  nock.cleanAll();
  const violations = worldsInTest.splice(0).flatMap((w) => w.violations);
  expect({ unusedMocks: pending, unmatchedRequests: stray, violations }).toEqual({
    unusedMocks: [],
    unmatchedRequests: [],
    violations: [],
  });
});

// nock patches Node's http/https modules, which every test file of a worker shares: each file removes its patch at the
// end, or the next file's requests over http(s) would go through a stale interceptor.
afterAll(() => nock.restore());

/** @type {import('jest').Config} */
export default {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.test.json" }],
  },
  setupFilesAfterEnv: ["<rootDir>/test/setup/no-network.ts"],
  collectCoverageFrom: ["src/**/*.ts", "!src/index.ts", "!src/cli/main.ts"],
  coverageReporters: ["text-summary", "text"],
  coverageThreshold: {
    global: { lines: 90 },
    "./src/controls/": { lines: 95 },
  },
  // An upper bound only (tests wait on events, not clocks): generous, so that a busy 2-core machine does not fail a test.
  testTimeout: 60000,
  // Two worker processes, each replaced once it holds more than 1 GB after a test file: in one process, the modules every
  // ESM test file loads anew add up to more than Node's default heap over the whole suite.
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
};

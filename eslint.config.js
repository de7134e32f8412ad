import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "node_modules/", "schema/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // User-supplied patterns must go through re2js (linear time); `new RegExp` on input is forbidden.
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='RegExp']", message: "Use re2js for dynamic patterns (linear time)." },
        { selector: "CallExpression[callee.name='RegExp']", message: "Use re2js for dynamic patterns (linear time)." },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The pure layers read no clock, no environment and log nothing: time and settings come from the evaluation.
    files: ["src/controls/**/*.ts", "src/config/**/*.ts", "src/report/**/*.ts", "src/facts/**/*.ts", "src/common/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='RegExp']", message: "Use re2js for dynamic patterns (linear time)." },
        { selector: "CallExpression[callee.name='RegExp']", message: "Use re2js for dynamic patterns (linear time)." },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Pure layer: take the time from the evaluation (no clock).",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Pure layer: take the time from the evaluation (no clock).",
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Pure layer: settings come from the evaluation, not the environment.",
        },
        { selector: "MemberExpression[object.name='console']", message: "Pure layer: return findings, do not log." },
      ],
    },
  },
  { files: ["**/*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
);

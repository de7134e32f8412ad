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
  { files: ["**/*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
);

import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/test-artifacts/**", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // Library code reports through the logger it is given, never the console.
    files: ["packages/*/src/**/*.ts"],
    rules: { "no-console": "error" },
  },
  {
    // Only the server's env module reads the environment.
    files: ["apps/server/src/**/*.ts", "packages/*/src/**/*.ts"],
    ignores: ["apps/server/src/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration in apps/server/src/env.ts." },
      ],
    },
  },
  {
    // The SDK's declarations must stand alone outside this repository: only
    // src/router.ts reads the server's router type, and writes it out in full.
    files: ["packages/client/src/**/*.ts"],
    ignores: ["packages/client/src/router.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@gatehouse/*"], message: "Take Gatehouse's types from ./router.js (AppRouter) or ./wire.js." }] }],
    },
  },
);

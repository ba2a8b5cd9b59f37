import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const PROCESS_ENV = { object: "process", property: "env", message: "Read configuration in apps/server/src/env.ts." };
// tRPC's internals are read in one module, whose test pins their shape across tRPC upgrades.
const TRPC_INTERNALS_MODULE = "packages/auth/src/trpc-internals.ts";
const TRPC_INTERNALS = `tRPC internals are read in ${TRPC_INTERNALS_MODULE} only.`;
const UNSTABLE_CORE = { name: "@trpc/server/unstable-core-do-not-import", message: TRPC_INTERNALS };

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
      "no-restricted-properties": ["error", PROCESS_ENV],
    },
  },
  {
    ignores: [TRPC_INTERNALS_MODULE],
    rules: { "no-restricted-imports": ["error", { paths: [UNSTABLE_CORE] }] },
  },
  {
    // A router's definition (`_def`) and its root config (`_config`), as values or as types.
    files: ["packages/auth/src/**/*.ts"],
    ignores: [TRPC_INTERNALS_MODULE],
    rules: {
      "no-restricted-properties": ["error", PROCESS_ENV, { property: "_def", message: TRPC_INTERNALS }, { property: "_config", message: TRPC_INTERNALS }],
      "no-restricted-syntax": [
        "error",
        { selector: "TSIndexedAccessType > TSLiteralType > Literal[value=/^_(def|config)$/]", message: TRPC_INTERNALS },
      ],
    },
  },
  {
    // The SDK's declarations must stand alone outside this repository: only
    // src/router.ts reads the server's router type, and writes it out in full.
    files: ["packages/client/src/**/*.ts"],
    ignores: ["packages/client/src/router.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [UNSTABLE_CORE], patterns: [{ group: ["@gatehouse/*"], message: "Take Gatehouse's types from ./router.js (AppRouter) or ./wire.js." }] },
      ],
    },
  },
);

import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const PROCESS_ENV = { object: "process", property: "env", message: "Read configuration in apps/server/src/env.ts." };
// tRPC's internals are read in one module, whose test pins their shape across tRPC upgrades.
const TRPC_INTERNALS_MODULE = "packages/auth/src/trpc-internals.ts";
const TRPC_INTERNALS = `tRPC internals are read in ${TRPC_INTERNALS_MODULE} only.`;
const UNSTABLE_CORE = { name: "@trpc/server/unstable-core-do-not-import", message: TRPC_INTERNALS };

/**
 * The layers of packages/auth/src, bottom to top. A module imports from its own
 * layer and those below it, never from one above: `modules` matches a relative
 * import of the layer from outside it.
 */
const authLayers = [
  {
    name: "base",
    files: ["errors.ts", "log.ts", "request-meta.ts", "cookies.ts", "api-key-scopes.ts", "store-keys.ts", "call-memo.ts", "crypto/**"],
    modules: "(?:errors|log|request-meta|cookies|api-key-scopes|store-keys|call-memo)\\.js$|crypto/",
  },
  {
    name: "infrastructure",
    files: ["passwords/**", "tokens/**", "mail/**", "rate-limit/**", "events/**"],
    modules: "(?:passwords|tokens|mail|rate-limit|events)/",
  },
  { name: "procedure", files: ["context.ts", "trpc.ts", "call-limits.ts"], modules: "(?:context|trpc|call-limits)\\.js$" },
  { name: "feature", files: ["features/**"], modules: "features/" },
  {
    name: "composition",
    files: ["config.ts", "services.ts", "root.ts", "trpc-internals.ts", "upgrade/**"],
    modules: "(?:config|services|root|trpc-internals)\\.js$|upgrade/",
  },
  { name: "http", files: ["http/**"], modules: "http/" },
  { name: "entry", files: ["index.ts", "bridge.ts", "testing.ts", "test-server.ts"], modules: "(?:index|bridge|testing|test-server)\\.js$" },
];

// A module in no layer may import nothing of its own package until it is placed in one.
const unplaced = { regex: "^\\.", message: 'This module is in no layer: add it to authLayers in eslint.config.js (see ARCHITECTURE.md, "Layers").' };

// The package's own entry points re-export every layer: importing them from inside would hide an upward import.
const selfImport = {
  group: ["@gatehouse/auth", "@gatehouse/auth/*"],
  message: "Inside @gatehouse/auth, import the module itself, not the package's entry points.",
};

// A feature's router is put together into the app's router by root.ts alone; other features use its services.
const routerImport = {
  regex: "^\\.\\.?/(?:.+/)?(?:[\\w-]+-)?router\\.js$",
  message: "Only root.ts imports a feature's router: use the feature's service or schema.",
};

/**
 * The restricted imports of a layer: every layer above it, routers unless
 * `routers` is allowed, and tRPC's unstable core unless `internals` is.
 */
function layerRule(index, { routers = false, internals = false } = {}) {
  const layer = authLayers[index];
  const upward = authLayers.slice(index + 1).map((above) => ({
    // The entry is "./index.js" or "../index.js", never a folder's "./providers/index.js".
    regex: above.name === "entry" ? `^\\.\\.?/(?:\\.\\./)*${above.modules}` : `^\\.\\.?/(?:.+/)?(?:${above.modules})`,
    message: `The ${layer.name} layer must not import the ${above.name} layer above it (see ARCHITECTURE.md, "Layers").`,
  }));
  return {
    "no-restricted-imports": ["error", { paths: internals ? [] : [UNSTABLE_CORE], patterns: [...upward, selfImport, ...(routers ? [] : [routerImport])] }],
  };
}

const composition = authLayers.findIndex((layer) => layer.name === "composition");
const authLayerRules = [
  { files: ["packages/auth/src/**/*.ts"], rules: { "no-restricted-imports": ["error", { paths: [UNSTABLE_CORE], patterns: [unplaced, selfImport] }] } },
  ...authLayers.map((layer, index) => ({ files: layer.files.map((glob) => `packages/auth/src/${glob}`), rules: layerRule(index) })),
  { files: ["packages/auth/src/root.ts"], rules: layerRule(composition, { routers: true }) },
  { files: [TRPC_INTERNALS_MODULE], rules: layerRule(composition, { internals: true }) },
];

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
        // The layer rule sees only static imports.
        { selector: "ImportExpression", message: 'Import statically, so the layer rule sees the import (see ARCHITECTURE.md, "Layers").' },
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
  ...authLayerRules,
);

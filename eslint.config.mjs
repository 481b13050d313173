import { builtinModules } from "node:module";
import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/*
 * Layers that point one way (README, "Layers"): app → components → server/universal, and inside the server
 * api → services → engine → adapters, each layer importing only those after it. Tests are exempt: a test may drive a
 * lower layer through an upper one (a service's test through the tRPC caller, the engine's through a service).
 */
const TESTS = ["**/*.test.ts", "**/*.test.tsx"];
const RULE = "@typescript-eslint/no-restricted-imports";

/** An import of a server folder, by alias or by a relative path climbing into it (sibling folders share no names). */
const serverFolders = (folders, message) => [
  { regex: `^@/server/(${folders.join("|")})(/|$)`, message },
  { regex: `^(\\.\\./)+(${folders.join("|")})(/|$)`, message },
];
/** The portal's entry points sit above every server module. */
const UPWARD_FROM_SERVER = [
  { regex: "^@/(app|components)(/|$)", message: "server code does not import pages or components: they import it" },
];
const importRule = (files, patterns, ignores = TESTS) => ({
  files,
  ignores,
  rules: { [RULE]: ["error", { patterns }] },
});
/** The simulated host is a package of its own (hostsim/package.json): the portal reaches it by name, never by path. */
const HOSTSIM_BY_NAME = [
  {
    regex: "^(@/hostsim|(\\.\\./)+hostsim)(/|$)",
    message: "import the simulated host as the package @open-vcluster/hostsim",
  },
];
/** Test helpers and benchmarks drive every layer; production code never imports them. */
const NOT_TEST_HELPERS = [
  {
    regex: "^@/server/(testing|bench)(/|$)",
    message: "test helpers and benchmarks are not part of the portal: production code does not import them",
  },
];
const restrict = (files, patterns) =>
  importRule(files, [...UPWARD_FROM_SERVER, ...HOSTSIM_BY_NAME, ...NOT_TEST_HELPERS, ...patterns]);

const NOT_ABOVE_ADAPTERS = serverFolders(
  ["engine", "services", "api", "composition"],
  "adapters are the bottom layer: the engine, services and API call them, not the reverse",
);
const NOT_ABOVE_ENGINE = serverFolders(
  ["api", "composition"],
  "the engine runs below the API: pass what it needs in, do not import the API",
);
const NOT_SERVICES_FROM_ENGINE = serverFolders(
  ["services"],
  "the engine runs below the services: publish an event or take a dependency, do not import a service",
);
const NOT_ABOVE_SERVICES = serverFolders(["api"], "services run below the API: the API calls them with what they need");
/** The composition root wires the process from the top; only the process entries (instrumentation.ts) import it. */
const NOT_COMPOSITION = serverFolders(["composition"], "the composition root wires the layers; they do not import it");

const config = [
  ...next,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Client code reaches the browser bundle: only the universal folder, and the router's types (erased at build).
  importRule(
    ["components/**/*.{ts,tsx}"],
    [
      {
        regex: "^@/(?!components/|server/universal/|server/api/root$)",
        message:
          "client code imports only @/server/universal/** (and `import type` from @/server/api/root); the rest of the server must not reach the browser",
      },
      {
        regex: "^@/server/api/root$",
        allowTypeImports: true,
        message: "client code takes only the router's types: `import type { AppRouter }`",
      },
      {
        regex: "^(\\.\\./)+(server|app|hostsim|e2e|prisma)(/|$)",
        message: "client code imports only @/server/universal/** and its own folder",
      },
    ],
  ),
  // app/ holds server components and route handlers; client components live in components/, where the rule above holds.
  {
    files: ["app/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Program > ExpressionStatement[directive='use client']",
          message: "client components live in components/, whose imports are checked for the browser bundle",
        },
      ],
    },
  },
  restrict(["server/**/*.{ts,tsx,mts}"], []),
  importRule(["server/testing/**/*.ts", "server/bench/**/*.ts"], [...UPWARD_FROM_SERVER, ...HOSTSIM_BY_NAME]),
  // What pages and server share: it reaches the browser, so it imports nothing from the server or from Node, but
  // Prisma's generated enums (plain constants, made to be imported anywhere) so its enums are the schema's own.
  importRule(
    ["server/universal/**/*.{ts,tsx}"],
    [
      {
        regex: "^@/(?!server/universal/|server/generated/prisma/enums$)",
        message: "server/universal imports only itself: pages bundle it for the browser",
      },
      { regex: "^\\.\\./", message: "server/universal imports only itself: pages bundle it for the browser" },
      {
        regex: `^(node:|(${builtinModules.join("|")})(/|$))`,
        message: "server/universal runs in the browser too: no Node built-ins",
      },
    ],
  ),
  restrict(["server/adapters/**/*.{ts,tsx}"], NOT_ABOVE_ADAPTERS),
  restrict(["server/engine/**/*.{ts,tsx}"], [...NOT_ABOVE_ENGINE, ...NOT_SERVICES_FROM_ENGINE]),
  restrict(["server/services/**/*.{ts,tsx}"], [...NOT_ABOVE_SERVICES, ...NOT_COMPOSITION]),
  restrict(["server/api/**/*.{ts,tsx}"], NOT_COMPOSITION),
  // The simulated host stands for a real Kubernetes API: it must not know the portal.
  importRule(
    ["hostsim/**/*.ts"],
    [
      { regex: "^@/", message: "hostsim does not import the portal (the @/ alias is the portal)" },
      { regex: "^open-vcluster(/|$)", message: "hostsim does not import the portal" },
      { regex: "^(\\.\\./)+(server|app|components|e2e|prisma)(/|$)", message: "hostsim does not import the portal" },
    ],
    [],
  ),
  { ignores: [".next/**", "node_modules/**", "server/generated/**", ".data/**", ".test-data/**", "next-env.d.ts"] },
];
export default config;

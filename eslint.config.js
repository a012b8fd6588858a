// Lint rules: the recommended sets, with `any` refused outright, no accessors in object literals, and the database reachable only from src/store/.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // An object literal with a getter, made on every request, grew V8's old generation and made
    // collections long and frequent (docs/performance.md): request-path objects use plain values
    // or functions instead.
    files: ["src/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
          message: "No accessors in object literals: use a value or a function (docs/performance.md, the request path).",
        },
      ],
    },
  },
  {
    // Every write goes through Store.write(), which keeps the read memos true: no module outside
    // the store may hold the database handle.
    files: ["src/**"],
    ignores: ["src/store/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "better-sqlite3", message: "SQLite is reached only through src/store/ (Store)." }],
          patterns: [
            {
              group: ["**/store/database.js", "**/store/database"],
              importNames: ["openDatabase", "SqliteDatabase", "readMigrations"],
              message: "The database handle is private to src/store/: use Store.",
            },
            {
              group: ["**/store/accounts.js", "**/store/reservations.js", "**/store/stateTables.js"],
              message: "Reach state through the Store facade (src/store/store.ts).",
            },
          ],
        },
      ],
    },
  },
);

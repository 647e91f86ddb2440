import js from "@eslint/js"
import tseslint from "typescript-eslint"

/** Package boundaries: core imports only `effect`; nobody reaches into another package's internals. */
const noInternals = {
  group: ["@ccapi/*/src/*", "@ccapi/*/internal/*", "@ccapi/*/dist/*", "../../*/src/*"],
  message: "Import a package through its public entry point (@ccapi/<name>), not its files."
}

/** Test code stays out of the product: no `src/` imports the testkit (its fakes and contract suites). */
const noTestkit = {
  group: ["@ccapi/testkit", "@ccapi/testkit/*"],
  message: "@ccapi/testkit is test code: import it from test/ only. The in-memory cloud is @ccapi/memory-cloud."
}

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".nx/**", ".venv/**", ".tools/**", "bench/.work/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": ["error", { patterns: [noInternals] }]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [noInternals, noTestkit] }],
      "no-restricted-syntax": [
        "error",
        { selector: "ImportExpression[source.value=/^@ccapi\\/testkit(\\/|$)/]", message: noTestkit.message }
      ]
    }
  },
  {
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noInternals,
            {
              regex: "^(?!effect(/|$)|\\.{1,2}/)",
              message: "@ccapi/core depends on `effect` only: no Node built-ins, SDKs or other packages."
            }
          ]
        }
      ]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: { "no-console": ["error", { allow: ["error", "warn"] }] }
  },
  {
    files: ["**/*.mjs", "**/*.js", "bench/**"],
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly", URL: "readonly" } }
  }
)

/** The contract suites, one per port: vitest test definitions, kept apart from the runtime fakes. */
export * from "./CloudControlContract.js"
export * from "./IdentityContract.js"
export * from "./PropertyValidatorContract.js"
export * from "./ResourceSchemasContract.js"
export * from "./SecurityScannerContract.js"
export * from "./TemplateGeneratorContract.js"
export type { Timing } from "./support.js"

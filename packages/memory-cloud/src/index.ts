/** The in-memory cloud: Cloud Control, the IaC Generator and the bundled provider schemas, with no AWS account. */
export * as BundledSchemas from "./BundledSchemas.js"
export { randomHex } from "./internal/generate.js"
export * as MemoryCloud from "./MemoryCloud.js"
export * as MemoryTemplateGenerator from "./MemoryTemplateGenerator.js"

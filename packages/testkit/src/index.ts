/** In-memory ports, contract suites and the bundled CloudFormation provider schemas. */
export * as BundledSchemas from "./BundledSchemas.js"
export * as MemoryCloud from "./MemoryCloud.js"
export * from "./contracts/CloudControlContract.js"

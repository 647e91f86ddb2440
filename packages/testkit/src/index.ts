/** In-memory ports and the bundled CloudFormation provider schemas. The contract suites are `@ccapi/testkit/contracts`. */
export * as BundledSchemas from "./BundledSchemas.js"
export * as FakeIdentity from "./FakeIdentity.js"
export * as FakeSecurityScanner from "./FakeSecurityScanner.js"
export * as MemoryCloud from "./MemoryCloud.js"
export * as MemoryJournal from "./MemoryJournal.js"
export * as MemoryTemplateGenerator from "./MemoryTemplateGenerator.js"

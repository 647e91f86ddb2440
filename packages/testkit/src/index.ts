/**
 * Test doubles for the `@ccapi/core` ports (fakes, an in-memory journal) and, for tests' convenience, the in-memory
 * cloud of `@ccapi/memory-cloud`. The contract suites are `@ccapi/testkit/contracts`. Test code only: a lint rule keeps
 * every package's `src/` from importing it.
 */
export { BundledSchemas, MemoryCloud, MemoryTemplateGenerator } from "@ccapi/memory-cloud"
export * as FakeIdentity from "./FakeIdentity.js"
export * as FakeSecurityScanner from "./FakeSecurityScanner.js"
export * as MemoryJournal from "./MemoryJournal.js"

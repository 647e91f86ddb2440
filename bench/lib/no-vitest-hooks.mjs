// Module hooks for the sandbox child: `@ccapi/testkit`'s entry point re-exports its contract suites, which import
// `@effect/vitest`, and vitest refuses to load outside a test run. The sandbox never calls them, so they resolve
// to stand-ins that throw if used.
const STUB =
  "const unavailable = () => { throw new Error('vitest is not available outside a test run') };" +
  "export const assert = new Proxy({}, { get: () => unavailable });" +
  "export const describe = unavailable; export const it = unavailable; export const expect = unavailable;" +
  "export const test = unavailable; export const layer = unavailable; export const vi = unavailable;" +
  "export const beforeAll = unavailable; export const afterAll = unavailable;" +
  "export const beforeEach = unavailable; export const afterEach = unavailable;"

export const resolve = (specifier, context, nextResolve) =>
  specifier === "vitest" || specifier === "@effect/vitest"
    ? { url: `data:text/javascript,${encodeURIComponent(STUB)}`, shortCircuit: true }
    : nextResolve(specifier, context)

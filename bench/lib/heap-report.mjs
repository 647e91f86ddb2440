// Preloaded into a benchmarked server (`node --expose-gc --import bench/lib/heap-report.mjs …`) so the harness can read
// the live heap of the very process whose RSS it measures: on SIGUSR2 it runs two full garbage collections and writes
// `process.memoryUsage()` and V8's heap spaces to $BENCH_HEAP_REPORT as one JSON object. It writes nothing to stdout
// (the server's JSON-RPC channel) and leaves every other signal alone.
import { renameSync, writeFileSync } from "node:fs"
import { setImmediate } from "node:timers"
import v8 from "node:v8"

const file = process.env.BENCH_HEAP_REPORT
const spacesNow = () =>
  Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])
  )
const gc = globalThis.gc
if (file !== undefined && typeof gc === "function") {
  process.on("SIGUSR2", () => {
    // A macrotask later, so the collection does not run inside whatever the signal interrupted.
    setImmediate(() => {
      // What the process had committed before the collections (what its RSS is made of), then what stays live.
      const before = process.memoryUsage()
      const spacesBefore = spacesNow()
      gc()
      gc()
      const usage = process.memoryUsage()
      const report = {
        ...usage,
        spaces: spacesNow(),
        before: { rss: before.rss, heapTotal: before.heapTotal, heapUsed: before.heapUsed, external: before.external },
        spacesBefore
      }
      // Written aside and renamed, so a reader never sees half a report.
      writeFileSync(`${file}.tmp`, JSON.stringify(report))
      renameSync(`${file}.tmp`, file)
    })
  })
}

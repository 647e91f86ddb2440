// The memory of a benchmarked process: RSS from /proc (what the system pays) and, for a server started with
// bench/lib/heap-report.mjs preloaded, its live heap after full collections (what the program still holds).
import { existsSync, readFileSync, rmSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"
import { rssOf } from "./mcp.mjs"

/** Node options that preload the heap reporter into a server; its answers land in `file`. */
export const heapReportArgs = () => ["--expose-gc", "--import", new URL("./heap-report.mjs", import.meta.url).href]

/**
 * RSS of `pid` and, when it runs the heap reporter writing to `file`, its live heap after GC (heapUsed), V8's committed
 * heap (heapTotal), external and array-buffer memory. RSS is read before the collection the report forces.
 */
export const memoryOf = async (pid, file) => {
  const rss = rssOf(pid)
  if (file === undefined) return { rss }
  // The reporter writes the file aside and renames it into place: once it exists again, it is this answer, whole.
  rmSync(file, { force: true })
  process.kill(pid, "SIGUSR2")
  for (let i = 0; i < 400; i++) {
    await sleep(25)
    if (!existsSync(file)) continue
    const report = JSON.parse(readFileSync(file, "utf8"))
    return {
      rss,
      heapUsed: report.heapUsed,
      heapTotal: report.heapTotal,
      external: report.external,
      arrayBuffers: report.arrayBuffers,
      spaces: report.spaces,
      /** V8's committed heap before the forced collections: what the RSS read just before is made of. */
      heapTotalBefore: report.before?.heapTotal,
      spacesBefore: report.spacesBefore
    }
  }
  return { rss }
}

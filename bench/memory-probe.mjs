#!/usr/bin/env node
// A bounded look at ccapi's memory, without the whole benchmark: the built bin over stdio (as `npm run bench` starts
// it, journal on, scanning disabled) against a sandbox process on loopback, N create workflows, and every K workflows
// the bin's RSS and its live heap after GC (bench/lib/heap-report.mjs is preloaded). One JSON line per checkpoint on
// stdout. Usage: node bench/memory-probe.mjs [workflows=2000] [every=250]; extra node flags for the server in
// BENCH_SERVER_NODE_FLAGS (e.g. "--max-semi-space-size=1").
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { startServer } from "./lib/mcp.mjs"
import { heapReportArgs, memoryOf } from "./lib/memory.mjs"
import { startEndpointProcess } from "./lib/processes.mjs"
import { runWorkflow } from "./lib/workflow.mjs"

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(benchDir, "..")
const workflows = Number(process.argv[2] ?? 2000)
const every = Number(process.argv[3] ?? 250)
const work = mkdtempSync(join(tmpdir(), "ccapi-memory-probe-"))
const heapFile = join(work, "heap.json")
const extraFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "")

const endpoint = await startEndpointProcess(join(benchDir, "lib", "sandbox-process.mjs"))
const session = await startServer({
  name: "ccapi",
  command: process.execPath,
  args: [...extraFlags, ...heapReportArgs(), join(repoRoot, "packages", "mcp-server", "bin", "ccapi-mcp-server.js")],
  cwd: work,
  env: {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: work,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIABENCHMARK0000001",
    AWS_SECRET_ACCESS_KEY: "bench-secret-key-not-a-real-one-000000001",
    AWS_CONFIG_FILE: join(work, "aws-config-absent"),
    AWS_SHARED_CREDENTIALS_FILE: join(work, "aws-credentials-absent"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: endpoint.url,
    XDG_STATE_HOME: join(work, "state"),
    SECURITY_SCANNING: "disabled",
    BENCH_HEAP_REPORT: heapFile
  }
})
const print = async (done, extra = {}) => {
  const m = await memoryOf(session.pid, heapFile)
  const mib = (n) => (n === undefined ? undefined : Math.round((n / 1024 ** 2) * 10) / 10)
  process.stdout.write(
    `${JSON.stringify({
      workflows: done,
      ...extra,
      rssMiB: mib(m.rss),
      heapUsedMiB: mib(m.heapUsed),
      heapTotalMiB: mib(m.heapTotal),
      heapTotalBeforeGcMiB: mib(m.heapTotalBefore),
      newSpaceBeforeGcMiB: mib(m.spacesBefore?.new_space?.size),
      externalMiB: mib(m.external),
      arrayBuffersMiB: mib(m.arrayBuffers),
      spacesMiB: Object.fromEntries(
        Object.entries(m.spaces ?? {})
          .filter(([, v]) => v.size > 0)
          .map(([k, v]) => [k, [mib(v.size), mib(v.used)]])
      )
    })}\n`
  )
}
try {
  await print(0, { at: "start" })
  const started = performance.now()
  for (let i = 1; i <= workflows; i++) {
    await runWorkflow(session, { scanning: false, name: `probe-${process.pid}-${i}` })
    if (i % every === 0 || i === workflows)
      await print(i, { seconds: Math.round((performance.now() - started) / 100) / 10 })
  }
} finally {
  await session.close()
  await endpoint.stop()
  rmSync(work, { recursive: true, force: true })
}

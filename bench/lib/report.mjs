// Renders the harness's results as BENCHMARKS.md.
import { formatMiB, formatMs, ratio, summarize } from "./stats.mjs"

const STEP_LABELS = {
  environment: "check_environment_variables",
  session: "get_aws_session_info",
  generate: "generate_infrastructure_code",
  explain: "explain",
  scan: "run_checkov",
  create: "create_resource",
  poll: "get_resource_request_status (client polls until complete)"
}

const cells = (samples) => {
  const s = summarize(samples ?? [])
  return s ? [formatMs(s.median), formatMs(s.min), formatMs(s.max), String(s.runs)] : ["—", "—", "—", "0"]
}
const median = (samples) => summarize(samples ?? [])?.median
/** The same cells for byte samples, in MiB. */
const mibCells = (samples) => {
  const s = summarize(samples ?? [])
  return s ? [formatMiB(s.median), formatMiB(s.min), formatMiB(s.max), String(s.runs)] : ["—", "—", "—", "0"]
}

const table = (header, rows) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

const SIDE_HEADER = [
  "ccapi median",
  "min",
  "max",
  "runs",
  "reference median",
  "min",
  "max",
  "runs",
  "ccapi / reference"
]

const row = (label, ours, reference, { refNote } = {}) => [
  label,
  ...cells(ours),
  ...(refNote ? [refNote, "", "", ""] : cells(reference)),
  refNote ? "—" : ratio(median(ours), median(reference))
]

const mib = (bytes) => (bytes === undefined ? "—" : `${formatMiB(bytes)} MiB`)

const statusOf = (met, measured) => (!measured ? "not measured" : met ? "**met**" : "**missed**")

const fmtLoad = (load) => (load ? load.map((v) => v.toFixed(2)).join(", ") : "—")

const times = (value) => (value === undefined ? "—" : `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`)

/**
 * Issue 17's goal table: each goal with ccapi's figure, the reference's, the ratio the goal asks for and whether it is
 * met. A goal is met only when every part of it was measured and holds.
 */
export const goalTable = (r) => {
  const cold = r.coldStart ?? {}
  const wfOff = r.workflow?.disabled ?? {}
  const wfScan = r.workflow?.scanning ?? {}
  const rows = []
  const goal = (label, ours, reference, comparison, met, measured, note = "") =>
    rows.push([label, ours, reference, comparison, statusOf(met, measured) + note])
  /**
   * A time goal: ccapi's median at most `bound` ms and, with `factor`, that many times below the reference's (then
   * measured only with both figures). `note` adds to the status, given both medians.
   */
  const timeGoal = (label, ours, reference, { bound, factor, word = "faster", note = () => "" }) => {
    const o = median(ours)
    const f = median(reference)
    const speedup = o !== undefined && f !== undefined ? f / o : undefined
    goal(
      label,
      o !== undefined ? `${formatMs(o)} ms` : "—",
      f !== undefined ? `${formatMs(f)} ms` : "—",
      speedup !== undefined ? `${times(speedup)} ${word}` : "—",
      o !== undefined && o <= bound && (factor === undefined || (speedup !== undefined && speedup >= factor)),
      o !== undefined && (factor === undefined || f !== undefined),
      note(o, f)
    )
  }
  timeGoal(
    "cold start: spawn → `initialize` answer ≤ 100 ms and ≥ 5× faster than the reference",
    cold.ours?.initialize,
    cold.reference?.initialize,
    {
      bound: 100,
      factor: 5,
      note: (o, f) =>
        o !== undefined && f === undefined ? ` (${o <= 100 ? "within" : "over"} 100 ms; no reference figure)` : ""
    }
  )
  {
    const client = median(cold.ours?.toolsList)
    timeGoal(
      "first `tools/list` answer at the client ≤ 120 ms after the spawn",
      cold.ours?.toolsAnswer,
      cold.reference?.toolsAnswer,
      {
        bound: 120,
        note: () =>
          client !== undefined
            ? ` (the SDK client's \`listTools()\` resolves at ${formatMs(client)} ms: it validates the answer and compiles every output schema)`
            : ""
      }
    )
  }
  timeGoal(
    "`run_checkov` (the tool call, warm Checkov worker) ≤ 400 ms and ≥ 10× faster than the reference",
    wfScan.ours?.steps?.scan,
    wfScan.reference?.steps?.scan,
    { bound: 400, factor: 10 }
  )
  {
    const o = median(cold.ours?.rss)
    const f = median(cold.reference?.rss)
    goal(
      "RSS after start (once the full server answered its first request) ≤ 80 MiB",
      o !== undefined ? mib(o) : "—",
      f !== undefined ? mib(f) : "—",
      ratio(o, f),
      o !== undefined && o <= 80 * 1024 * 1024,
      o !== undefined
    )
  }
  {
    const m = r.memory?.ours
    const measured = m?.afterWarm !== undefined && m?.afterN !== undefined
    const growth = measured ? m.afterN / m.afterWarm - 1 : undefined
    const fm = r.memory?.reference
    const heap = Array.isArray(r.heap) && r.heap.length > 1 ? r.heap : undefined
    goal(
      `RSS after ${m?.workflows ?? r.settings.memoryWorkflows} workflows within 20 % of RSS after the warm-up; live heap flat`,
      (measured ? `${mib(m.afterWarm)} → ${mib(m.afterN)} (${(growth * 100).toFixed(1)} %)` : "—") +
        (heap
          ? `; live heap after GC ${mib(heap[0].heapUsed)} → ${mib(heap.at(-1).heapUsed)} (${(
              (heap.at(-1).heapUsed / heap[0].heapUsed - 1) *
              100
            ).toFixed(1)} %)`
          : ""),
      fm?.afterWarm && fm?.afterN
        ? `${mib(fm.afterWarm)} → ${mib(fm.afterN)} after ${fm.workflows} (${((fm.afterN / fm.afterWarm - 1) * 100).toFixed(1)} %)`
        : "—",
      "—",
      measured && growth <= 0.2,
      measured,
      measured && m.workflows < 10_000 ? ` (only ${m.workflows} workflows in this run)` : ""
    )
  }
  timeGoal(
    "server-side overhead of a create workflow (scanning off) ≤ 10 ms and ≥ 20× less than the reference",
    wfOff.ours?.overhead,
    wfOff.reference?.overhead,
    { bound: 10, factor: 20, word: "less" }
  )
  {
    // bench/lib/tokens.mjs (issue 17, goal 3) fills r.tokens.toolsList = { ours, reference, encoding }.
    const t = r.tokens?.toolsList
    goal(
      `\`tools/list\` ≤ 5,000 tokens${t?.encoding ? ` (${t.encoding})` : ""}`,
      t?.ours !== undefined ? `${t.ours.toLocaleString("en")} tokens` : "—",
      t?.reference !== undefined ? `${t.reference.toLocaleString("en")} tokens` : "—",
      ratio(t?.ours, t?.reference),
      t?.ours !== undefined && t.ours <= 5000,
      t?.ours !== undefined,
      t?.ours === undefined ? " (the token count comes from `bench/lib/tokens.mjs`)" : ""
    )
  }
  return table(["goal", "ccapi", "reference", "comparison", "status"], rows)
}

const JOURNAL_APPENDS =
  "the journal's five durable appends (each written and fdatasync'd before the call goes on: the plan at " +
  "`generate_infrastructure_code`, `explained`, and the mutation's intent, submitted request and outcome around " +
  "`create_resource`)"

/**
 * What the workflow overhead with the journal (`on`) and without it (`off`, medians in ms) says about the journal. A
 * difference counts only past the noise of two series on a shared machine, taken as 10 % of the journal-off median
 * (at least 1 ms): only a journal-on overhead higher by more than that is put down to the journal.
 */
export const journalVerdict = (on, off) => {
  const noise = Math.max(1, 0.1 * off)
  const difference = on - off
  const within = `${formatMs(noise)} ms taken as the noise between two series`
  if (difference > noise)
    return (
      `With the journal the overhead is ${formatMs(difference)} ms higher, more than the ${within}; the difference ` +
      `is ${JOURNAL_APPENDS}: the write-ahead record that nothing is lost costs a disk flush per entry, and the ` +
      "time a flush takes is the disk's."
    )
  if (difference < -noise)
    return (
      `With the journal the overhead is ${formatMs(-difference)} ms lower, more than the ${within}: the journal is ` +
      `not the cause of the overhead; the difference is the machine's, between the two series, and ` +
      `${JOURNAL_APPENDS} cost less than it.`
    )
  return (
    `The two are ${formatMs(Math.abs(difference))} ms apart, within the ${within}: the journal is not the cause of ` +
    `the overhead; ${JOURNAL_APPENDS} cost less than that here.`
  )
}

/** The whole report. */
export const renderReport = (r) => {
  const out = []
  const ours = r.ours.ok
  const ref = r.reference.ok && !r.settings.skipReference
  const cold = r.coldStart ?? {}
  const wfOff = r.workflow.disabled ?? {}
  const wfScan = r.workflow.scanning ?? {}

  out.push("# Benchmarks: ccapi and AWS Labs' reference server")
  out.push("")
  out.push(
    `Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${r.meta.date}. Do not edit by hand: run it again. ` +
      `The same MCP client script (the SDK's \`Client\` over \`StdioClientTransport\`) drives ccapi's bundled bin and ` +
      `AWS Labs' Python server \`awslabs.ccapi-mcp-server==${r.meta.referenceVersion ?? "1.0.18"}\` (installed by the ` +
      `harness into \`bench/.work/reference-venv\`), in alternating runs (ccapi, reference, ccapi, …), against one ` +
      `local AWS endpoint: the ccapi sandbox in its own process, reached through \`AWS_ENDPOINT_URL\` with static ` +
      `credentials, mutations completing without delay. All times are milliseconds measured with ` +
      `\`performance.now()\` on the client; ratios are ccapi / reference of the medians (below 1 means ccapi is faster).`
  )
  out.push("")

  // ── machine ──
  out.push("## Machine and versions")
  out.push("")
  out.push(
    table(
      ["", ""],
      [
        ["date", r.meta.date],
        ["CPU", `${r.meta.cpuCount} × ${r.meta.cpuModel}`],
        ["memory", `${r.meta.memoryGiB?.toFixed(1)} GiB`],
        ["OS", r.meta.platform],
        ["load average (1, 5, 15 min) at start / end", `${fmtLoad(r.meta.loadStart)} / ${fmtLoad(r.meta.loadEnd)}`],
        ["Node.js", r.meta.node],
        ["ccapi", `@ccapi/mcp-server ${r.meta.ccapiVersion}${ours ? "" : " (not measured: " + r.ours.reason + ")"}`],
        [
          "reference",
          ref
            ? `awslabs.ccapi-mcp-server ${r.meta.referenceVersion} on Python ${r.meta.python}, MCP Python SDK ${r.meta.referenceMcp} ` +
              "(pinned: 1.0.18 asks for `mcp>=1.23.0`, which now resolves to mcp 2.x, under which it does not start)"
            : `not measured: ${r.reference.reason}`
        ],
        ["Checkov (ccapi, `.venv/checkov`)", r.meta.checkovOurs ?? "not installed"],
        ["Checkov (reference venv)", r.meta.checkovReference ?? "—"],
        ["whole run", `${r.meta.wallSeconds?.toFixed(0)} s`],
        [
          "settings",
          `BENCH_RUNS=${r.settings.runs}, BENCH_WORKFLOW_RUNS=${r.settings.workflowRuns}, BENCH_SCAN_RUNS=${r.settings.scanRuns}, ` +
            `BENCH_MEMORY_WORKFLOWS=${r.settings.memoryWorkflows}, BENCH_REF_MEMORY_WORKFLOWS=${r.settings.refMemoryWorkflows}, ` +
            `BENCH_LIST_SIZES=${r.settings.listSizes.join(",")}, BENCH_LIST_RUNS=${r.settings.listRuns}, ` +
            `BENCH_WARMUP=${r.settings.warmup}, BENCH_OURS_MODE=${r.settings.oursMode}`
        ]
      ]
    )
  )
  out.push("")
  out.push(
    "The machine is shared: other work running at the same time inflates the absolute figures (see the load " +
      "average). Alternating the runs keeps the ratios fair; the medians are the figures to read, min and max show " +
      "the spread."
  )
  out.push("")

  // ── targets ──
  out.push("## Goals (issue 17) — where each stands")
  out.push("")
  out.push(goalTable(r))
  out.push("")
  out.push(
    'These are goals, not assertions: the harness never fails on a figure. "Server-side overhead" is the ' +
      "client-observed time of the workflow's calls minus the time the sandbox spent answering the server's AWS " +
      "requests (measured by a timing proxy in front of the sandbox; it includes the proxy's own loopback hop to " +
      "the sandbox but not the server's hop to the proxy, the stdio round trips or the MCP framing, which stay in " +
      "the overhead). Every figure comes from this one run; a ratio compares the two servers' medians."
  )
  out.push("")

  // ── cold start ──
  out.push("## Cold start")
  out.push("")
  out.push(
    "From just before the spawn (`node packages/mcp-server/bin/ccapi-mcp-server.js`, the bin entry that turns on the compile cache in front of the bundle, and the reference's console script " +
      "`awslabs.ccapi-mcp-server`) to the `initialize` response, and to the first `tools/list` answer. " +
      "Default settings (scanning enabled), sandbox credentials. The reference calls STS `GetCallerIdentity` " +
      "before it starts serving; ccapi connects the transport first and looks its identity up afterwards."
  )
  out.push("")
  out.push(
    table(
      ["", ...SIDE_HEADER],
      [
        row("to `initialize` response", cold.ours?.initialize, cold.reference?.initialize),
        row("to the first `tools/list` answer at the client", cold.ours?.toolsAnswer, cold.reference?.toolsAnswer),
        row(
          "to the SDK client's `listTools()` resolved (answer validated, output schemas compiled)",
          cold.ours?.toolsList,
          cold.reference?.toolsList
        ),
        row("to the first `ping` answered (ccapi: by the full server)", cold.ours?.ready, cold.reference?.ready),
        [
          "RSS right after start (MiB)",
          ...mibCells(cold.ours?.rss),
          ...mibCells(cold.reference?.rss),
          ratio(median(cold.ours?.rss), median(cold.reference?.rss))
        ]
      ]
    )
  )
  out.push("")
  if (cold.oursNoFront) {
    const f = cold.oursNoFront
    out.push(
      "ccapi's bin answers `initialize` and the first `tools/list` from its handshake front (`dist/front.js`: Node.js " +
        "built-ins only, with the answers recorded from the full server at build time, `dist/handshake.js`), then " +
        "loads the full server, which takes the connection over; the `ping` row is the first answer of the full " +
        "server, and the RSS row is taken after it. With the front off (`CCAPI_HANDSHAKE_FRONT=off`: the full server " +
        `answers the handshake itself, as before): to \`initialize\` ${formatMs(median(f.initialize))} ms median ` +
        `(min ${formatMs(Math.min(...f.initialize))}, max ${formatMs(Math.max(...f.initialize))}, ${f.initialize.length} runs), ` +
        `to first \`tools/list\` ${formatMs(median(f.toolsList))} ms, to the first \`ping\` ${formatMs(median(f.ready))} ms` +
        (f.rss?.length ? `, RSS ${mib(median(f.rss))}` : "") +
        "."
    )
    out.push("")
  }
  if (cold.oursNoCompileCache) {
    const off = median(cold.oursNoCompileCache.initialize)
    out.push(
      `Without Node's compile cache (\`NODE_DISABLE_COMPILE_CACHE=1\`; the bin entry turns it on, and the row above is ` +
        `a warm-cache start): to \`initialize\` ${formatMs(off)} ms median (min ${formatMs(Math.min(...cold.oursNoCompileCache.initialize))}, ` +
        `max ${formatMs(Math.max(...cold.oursNoCompileCache.initialize))}, ${cold.oursNoCompileCache.initialize.length} runs); ` +
        `the cache saves ${formatMs(off - median(cold.ours?.initialize))} ms a start ` +
        `(${Math.round((1 - median(cold.ours?.initialize) / off) * 100)} %).`
    )
    out.push("")
  }
  if (cold.oursSandbox) {
    out.push(
      `With \`--sandbox\` (ccapi starts its own in-process endpoint): to \`initialize\` ${formatMs(median(cold.oursSandbox.initialize))} ms ` +
        `median (min ${formatMs(Math.min(...cold.oursSandbox.initialize))}, max ${formatMs(Math.max(...cold.oursSandbox.initialize))}, ` +
        `${cold.oursSandbox.initialize.length} runs), to first \`tools/list\` ${formatMs(median(cold.oursSandbox.toolsList))} ms.`
    )
    out.push("")
  }
  const facts = []
  if (cold.ours)
    facts.push(
      `ccapi lists ${cold.ours.tools} tools` +
        (cold.ours.toolsListBytes ? ` (${cold.ours.toolsListBytes.toLocaleString("en")} bytes of JSON)` : "")
    )
  if (cold.reference)
    facts.push(
      `the reference lists ${cold.reference.tools}` +
        (cold.reference.toolsListBytes ? ` (${cold.reference.toolsListBytes.toLocaleString("en")} bytes)` : "")
    )
  for (const side of ["ours", "reference"]) {
    if (cold[side]?.noise) {
      facts.push(
        `${side === "ours" ? "ccapi" : "the reference"} wrote ${cold[side].noise} line(s) to stdout that were not ` +
          "JSON-RPC (the client skipped them)"
      )
    }
  }
  if (facts.length) {
    out.push(`${facts.join("; ")}.`)
    out.push("")
  }

  const anatomy = r.startAnatomy
  if (anatomy?.bundle) {
    const b = anatomy.bundle
    out.push(
      "What a start of ccapi's bin is made of, from its own bundle — one process imports the chunks `dist/main.js` " +
        "imports statically, leaves first (`dist/metafile-esm.json` names them), and times each import: each row is " +
        "what that chunk adds, with a warm compile cache, as in the starts above, so the rows add up to the full " +
        "server's load. The front's rows are another process."
    )
    out.push("")
    const nodeAlone = anatomy.node?.["Node.js itself (`node -e 0`)"]
    out.push(
      table(
        ["part", "bytes", "what it holds (largest inputs)", "median ms", "min", "max", "runs"],
        [
          ...(nodeAlone ? [["Node.js itself (`node -e 0`, the whole process)", "", "", ...cells(nodeAlone)]] : []),
          [
            "handshake front: `front.js`",
            `${(b.frontBytes / 1024).toFixed(0)} KiB`,
            "the front (Node.js built-ins only)",
            ...cells(b.front.front)
          ],
          [
            "handshake front: `handshake.js` (the recorded answers)",
            `${(b.dataBytes / 1024).toFixed(0)} KiB`,
            "8 settings' `initialize` and `tools/list` answers",
            ...cells(b.front.data)
          ],
          ...b.chunks.map((chunk) => [
            `full server: \`${chunk.file}\``,
            `${(chunk.bytes / 1024).toFixed(0)} KiB`,
            chunk.contents,
            ...cells(chunk.ms)
          ]),
          ["**full server: all of the above chunks**", "", "", ...cells(b.total)]
        ]
      )
    )
    out.push("")
    const sdkAndZod = median(b.chunks.find((chunk) => chunk.file === "main.js")?.ms)
    const total = median(b.total)
    if (sdkAndZod !== undefined && total !== undefined)
      out.push(
        `Loading the full server takes ${formatMs(total)} ms of module evaluation after Node.js has started; ` +
          `\`main.js\` itself (the MCP SDK, zod and the server's own code) is ${formatMs(sdkAndZod)} ms of it. That is ` +
          "more than a start may take, whatever else is deferred — which is why the bin answers the handshake from " +
          "its front first and loads all of this after it."
      )
    out.push("")
  }
  if (anatomy && Object.keys(anatomy.node).length) {
    out.push("What a start is made of — each line a separate process that only imports, on the same machine:")
    out.push("")
    const anatomyRows = [
      ...Object.entries(anatomy.node).map(([label, samples]) => [`ccapi: ${label}`, ...cells(samples)]),
      ...Object.entries(anatomy.python).map(([label, samples]) => [`reference: ${label}`, ...cells(samples)])
    ]
    out.push(table(["process", "median", "min", "max", "runs"], anatomyRows))
    out.push("")
    const bundle =
      anatomy.external === undefined
        ? ""
        : anatomy.external.length === 0
          ? `ccapi's built bin (${formatMiB(anatomy.bytes)} MiB of JavaScript in \`packages/mcp-server/dist\`) is ` +
            "self-contained: it imports only Node.js built-ins, so the rows above, which import the same packages " +
            "unbundled from `node_modules`, are an upper bound on what they cost inside it. "
          : `ccapi's built bin (${formatMiB(anatomy.bytes)} MiB of JavaScript) still imports ` +
            `${anatomy.external.map((name) => `\`${name}\``).join(", ")} from \`node_modules\` at run time. `
    out.push(
      bundle +
        "The rows overlap in shared dependencies, so they do not add up; they show where a Node.js start of this " +
        "stack spends its time (Effect's module graph first); the last row is the same for the reference's Python modules."
    )
    out.push("")
  }

  // ── workflows ──
  const workflowTable = (wf, { scanning }) => {
    const keys = ["environment", "session", "generate", "explain", ...(scanning ? ["scan"] : []), "create"]
    const rows = keys.map((k) => row(`\`${STEP_LABELS[k]}\``, wf.ours?.steps?.[k], wf.reference?.steps?.[k]))
    rows.push(row("**whole workflow, client-observed**", wf.ours?.total, wf.reference?.total))
    rows.push(row("sandbox time inside it", wf.ours?.backendTotal, wf.reference?.backendTotal))
    rows.push(row("**server-side overhead** (observed − sandbox)", wf.ours?.overhead, wf.reference?.overhead))
    const reqs = (side) => {
      const v = summarize(wf[side]?.awsRequests ?? [])
      return v ? String(v.median) : "—"
    }
    rows.push(["AWS requests per workflow (median)", reqs("ours"), "", "", "", reqs("reference"), "", "", "", ""])
    if (wf.reference?.steps?.poll) {
      rows.push(row(`reference only: \`${STEP_LABELS.poll}\``, undefined, wf.reference.steps.poll))
      rows.push(row("whole workflow until the resource exists", wf.ours?.totalWithPoll, wf.reference?.totalWithPoll))
      rows.push(
        row("server-side overhead until the resource exists", wf.ours?.overheadWithPoll, wf.reference?.overheadWithPoll)
      )
    }
    return table(["call", ...SIDE_HEADER], rows)
  }
  const statuses = (wf) =>
    ["ours", "reference"]
      .filter((s) => wf[s])
      .map(
        (s) =>
          `${s === "ours" ? "ccapi" : "reference"}: create returned ${JSON.stringify(wf[s].createStatuses)}` +
          (s === "reference" ? `, after polling ${JSON.stringify(wf[s].finalStatuses)}` : "") +
          (Object.keys(wf[s].scanStatuses ?? {}).length ? `, scans ${JSON.stringify(wf[s].scanStatuses)}` : "")
      )
      .join("; ")

  /** A workflow section's table and outcomes; false, after "Not measured", when neither server ran it. */
  const pushWorkflow = (wf, options) => {
    if (!wf.ours && !wf.reference) {
      out.push("Not measured (see below).")
      return false
    }
    out.push(workflowTable(wf, options))
    out.push("")
    out.push(`Outcomes — ${statuses(wf)}.`)
    return true
  }

  out.push("## A full create workflow, scanning disabled")
  out.push("")
  out.push(
    "`SECURITY_SCANNING=disabled`; environment → session → generate → explain → create (`skip_security_check=true`) " +
      "for an `AWS::SQS::Queue` encrypted with a KMS key, one long-lived server per side, " +
      `${r.settings.warmup} warm-up workflows first. ccapi's \`create_resource\` waits for the Cloud Control request ` +
      "to complete and returns the final model; the reference's returns the first progress event (`IN_PROGRESS`) and " +
      "does not wait, so a client must poll `get_resource_request_status` itself: that row is shown separately and " +
      "the main comparison leaves it out, which favours the reference."
  )
  out.push("")
  if (pushWorkflow(wfOff, { scanning: false })) {
    const noJournal = r.workflow.disabledNoJournal
    if (noJournal?.overhead?.length && wfOff.ours?.overhead?.length) {
      const on = median(wfOff.ours.overhead)
      const off = median(noJournal.overhead)
      out.push("")
      out.push(
        `The same workflows on a ccapi server with its journal off (\`CCAPI_JOURNAL=off\`, run after the series): ` +
          `server-side overhead ${formatMs(off)} ms median (min ${formatMs(Math.min(...noJournal.overhead))}, max ` +
          `${formatMs(Math.max(...noJournal.overhead))}, ${noJournal.overhead.length} runs), against ${formatMs(on)} ms ` +
          `with it. ${journalVerdict(on, off)} Per call with the journal off: ` +
          ["environment", "session", "generate", "explain", "create"]
            .map((key) => `\`${STEP_LABELS[key]}\` ${formatMs(median(noJournal.steps[key]))} ms`)
            .join(", ") +
          " (client-observed, sandbox time included)." +
          (r.workflow.durableAppend?.length
            ? ` One such append (open, append, fdatasync, close) on this machine's disk takes ` +
              `${formatMs(median(r.workflow.durableAppend))} ms median (min ${formatMs(Math.min(...r.workflow.durableAppend))}, ` +
              `max ${formatMs(Math.max(...r.workflow.durableAppend))}, ${r.workflow.durableAppend.length} appends in the journal's directory).`
            : "")
      )
    }
  }
  out.push("")

  out.push("## A full create workflow with the real Checkov")
  out.push("")
  out.push(
    "`SECURITY_SCANNING=enabled`; the same workflow with `run_checkov` before `create_resource`. The queue is " +
      "encrypted with a KMS key, so it passes every Checkov check for its type (CKV_AWS_27) and neither server needs " +
      "findings accepted."
  )
  out.push("")
  pushWorkflow(wfScan, { scanning: true })
  out.push("")

  // ── memory ──
  out.push("## Resident memory")
  out.push("")
  out.push(
    "RSS of the server process (`VmRSS` in `/proc/<pid>/status`) of the scanning-disabled server above: right " +
      "after start, after the warm-up and timed workflows, and after the whole series of workflows." +
      (r.settings.memoryNodeFlags?.length
        ? ` ccapi ran this series with \`${r.settings.memoryNodeFlags.join(" ")}\` (BENCH_MEMORY_NODE_FLAGS).`
        : "")
  )
  out.push("")
  const memRows = ["ours", "reference"]
    .filter((s) => r.memory[s])
    .map((s) => {
      const m = r.memory[s]
      const per = summarize(m.perWorkflow ?? [])
      return [
        s === "ours" ? "ccapi" : "reference",
        mib(m.afterStart),
        mib(m.afterWarm),
        `${mib(m.afterN)} after ${m.workflows}`,
        m.afterStart && m.afterN ? `${((m.afterN / m.afterStart - 1) * 100).toFixed(1)} %` : "—",
        m.afterWarm && m.afterN ? `${((m.afterN / m.afterWarm - 1) * 100).toFixed(1)} %` : "—",
        per ? `${formatMs(per.median)} ms (${per.runs} workflows in ${m.loopSeconds.toFixed(1)} s)` : "—",
        (m.checkpoints ?? []).map((c) => `${c.workflows}: ${formatMiB(c.rss)}`).join(", ") || "—"
      ]
    })
  out.push(
    memRows.length
      ? table(
          [
            "server",
            "after start",
            "after warm-up + timed runs",
            "after the series",
            "growth vs start",
            "growth vs warm-up",
            "median workflow in the series",
            "RSS (MiB) along the series"
          ],
          memRows
        )
      : "Not measured (see below)."
  )
  out.push("")

  if (Array.isArray(r.heap) && r.heap.length > 1) {
    const first = r.heap[0]
    const last = r.heap[r.heap.length - 1]
    out.push(
      "RSS includes memory V8 has committed and keeps. What the server really retains is its live heap after " +
        "garbage collection, read from the same server process: the harness starts it with " +
        "`bench/lib/heap-report.mjs` preloaded (`--expose-gc`), and at each point below it reads RSS first, then has " +
        "the server run two full collections and report `process.memoryUsage()`. Token records are kept until they " +
        "expire and swept when the store reaches its bound of 10,000 records, so the live heap stops growing there. " +
        "RSS above the live heap is mostly V8's young generation (up to 2 × `--max-semi-space-size`, 64 MiB " +
        "semi-spaces by default on a large machine), which V8 grows under allocation pressure and keeps."
    )
    out.push("")
    out.push(
      table(
        [
          "workflows",
          "live heap after GC (MiB)",
          "V8 heap committed (MiB)",
          "external (MiB)",
          "RSS of that process (MiB)"
        ],
        r.heap.map((c) => [
          String(c.workflows),
          formatMiB(c.heapUsed),
          c.heapTotal === undefined ? "—" : formatMiB(c.heapTotal),
          c.external === undefined ? "—" : formatMiB(c.external),
          formatMiB(c.rss)
        ])
      )
    )
    out.push("")
    out.push(
      `Live heap: ${formatMiB(first.heapUsed)} MiB after ${first.workflows} workflows (warm-up and timed runs) → ${formatMiB(last.heapUsed)} MiB after ${last.workflows} workflows ` +
        `(${((last.heapUsed / first.heapUsed - 1) * 100).toFixed(1)} %).`
    )
    out.push("")
  }

  // ── list ──
  out.push("## `list_resources` over many resources")
  out.push("")
  out.push(
    "`AWS::S3::Bucket` resources seeded into the sandbox through the AWS SDK for JavaScript (Cloud Control " +
      "`CreateResource`). ccapi returns one page and a `next_token`; the harness follows it to the last page. The " +
      "reference cannot page: it walks every Cloud Control page itself and returns all identifiers in one answer, " +
      "so its first page is its last."
  )
  out.push("")
  const listRows = []
  for (const size of r.settings.listSizes) {
    const l = r.list[size]
    if (!l) {
      listRows.push([`${size}: not measured`, "", "", "", "", "", "", "", "", ""])
      continue
    }
    listRows.push(row(`${size} resources: first page`, l.ours?.first, l.reference?.first))
    listRows.push(row(`${size} resources: last page`, l.ours?.last, l.reference?.last))
    listRows.push([
      `${size} resources: pages / identifiers`,
      l.ours ? `${l.ours.pages} / ${l.ours.count}` : "—",
      "",
      "",
      "",
      l.reference ? `${l.reference.pages} / ${l.reference.count}` : "—",
      "",
      "",
      "",
      ""
    ])
  }
  out.push(table(["", ...SIDE_HEADER], listRows))
  out.push("")

  // ── scan ──
  out.push("## One Checkov scan, and what dominates it")
  out.push("")
  const s = r.scan ?? {}
  const scanRows = [
    ["ccapi `run_checkov` tool call (from the workflow above)", ...cells(wfScan.ours?.steps?.scan)],
    ["reference `run_checkov` tool call (from the workflow above)", ...cells(wfScan.reference?.steps?.scan)],
    ["one scan through `@ccapi/checkov-adapter` (`CheckovScanner.scan`), warm worker", ...cells(s.adapter)],
    ["the worker's first scan (it starts Python and imports Checkov)", ...cells(s.adapterFirst)],
    ['one scan through the adapter with `mode: "cli"` (the CLI once per scan)', ...cells(s.adapterCli)],
    [
      "bare CLI: `checkov -f template.json --framework cloudformation -o json --skip-download --compact`",
      ...cells(s.cli)
    ],
    ["bare CLI with a fresh HOME and TMPDIR per run, as the adapter runs it", ...cells(s.cliFresh)],
    ["of which: start Python (`python -c pass`)", ...cells(s.pythonStart)],
    ["of which: start Python and `import checkov.main`", ...cells(s.importCheckov)],
    ["`checkov --version` (the reference runs it before every scan)", ...cells(s.version)]
  ]
  out.push(table(["what", "median", "min", "max", "runs"], scanRows))
  out.push("")
  {
    const imp = median(s.importCheckov)
    const cli = median(s.cli)
    const adapter = median(s.adapter)
    const version = median(s.version)
    if (imp !== undefined && cli !== undefined) {
      out.push(
        `Starting Python and importing Checkov takes ${formatMs(imp)} ms of a ${formatMs(cli)} ms CLI run ` +
          `(${((imp / cli) * 100).toFixed(0)} %): the scan itself — parsing one template and running the checks — is ` +
          `the small remainder. ` +
          (adapter !== undefined
            ? `The adapter imports Checkov once, in a long-lived worker that forks a fresh child per scan: a scan ` +
              `(temporary directory, fork, checks, JSON decode included) takes ${formatMs(adapter)} ms with the worker ` +
              `warm, against ${formatMs(median(s.adapterCli))} ms when the adapter runs the CLI per scan and ` +
              `${formatMs(cli)} ms for the bare CLI` +
              (median(s.cliFresh) !== undefined
                ? ` and ${formatMs(median(s.cliFresh))} ms for the bare CLI given a fresh HOME and TMPDIR, as the adapter ` +
                  `does for every scan` +
                  ((s.freshLeftovers ?? []).some((name) => name.startsWith(".lark_cache"))
                    ? ": Checkov writes its Lark parser cache (`.lark_cache_*.tmp`) into TMPDIR, so a fresh TMPDIR " +
                      "rebuilds the parser on every scan — keeping a persistent cache directory would remove most of " +
                      "the difference. "
                    : ". ")
                : ". ")
            : "") +
          (version !== undefined
            ? `The reference's \`run_checkov\` starts Checkov twice (\`checkov --version\`, ${formatMs(version)} ms, then the ` +
              "scan) and, without `--skip-download` and `BC_SKIP_MAPPING`, tries to download Checkov's guideline mappings " +
              "from the Prisma Cloud API on every scan (here it fails fast because the machine has no route to it; on " +
              "a connected machine it is a network round trip)."
            : "")
      )
      out.push("")
    }
  }

  // ── reference gaps ──
  out.push(...renderTokens(r.tokens))

  out.push("## Where the reference cannot do a step")
  out.push("")
  out.push(
    [
      "- `create_resource` does not wait: it returns the first progress event (`IN_PROGRESS`); the client has to " +
        "poll `get_resource_request_status` (measured separately above).",
      "- `list_resources` cannot page: no `next_token` / `max_results`; it reads every page from Cloud Control and " +
        "returns all identifiers at once, however many there are.",
      "- `run_checkov` runs `checkov --version` and then the scan (two Python start-ups) and lets Checkov reach the " +
        "network (guideline download, update check).",
      "- Its workflow tokens live in a module-level dict that nothing expires or bounds: every " +
        "`check_environment_variables` token, and every token of an abandoned workflow, stays for the life of the " +
        "process (small entries: its RSS barely moves after the warm-up, see the memory table)."
    ].join("\n")
  )
  out.push("")

  // ── notes and gaps ──
  if (r.notes.length || r.missing.length) {
    out.push("## Notes and what was not measured")
    out.push("")
    for (const n of r.notes) out.push(`- ${n}`)
    for (const m of r.missing) out.push(`- **Not measured — ${m.what}:** ${m.why}`)
    out.push("")
  }
  out.push("## Reproduce")
  out.push("")
  out.push(
    "`npm run bench` (builds, installs Checkov into `.venv/checkov`, installs the reference into " +
      "`bench/.work/reference-venv` on first use, runs everything and rewrites this file; raw figures in " +
      "`bench/.work/results.json`). Run counts are environment variables, listed at the top of `bench/run.mjs`."
  )
  out.push("")
  return out.join("\n")
}

/** The context-cost section (issue 17, goal 3): tools/list of both servers and one create workflow, in tokens. */
export function renderTokens(tokens) {
  if (!tokens?.ours) return []
  const ours = tokens.ours
  const ref = tokens.reference?.toolsList
  const n = (value) => (value === undefined ? "—" : value.toLocaleString("en-US"))
  const part = (list, key) => (list ? `${n(list[key].tokens)} (${n(list[key].characters)} chars)` : "—")
  const wf = ours.createWorkflow
  const out = []
  out.push("## Context cost")
  out.push("")
  out.push(
    `Counted with the \`${tokens.encoding}\` encoding (\`gpt-tokenizer\`, \`bench/lib/tokens.mjs\`) on the compact JSON a ` +
      "client passes on: the tools/list answer, and every result of one create workflow (check_environment_variables → " +
      "get_aws_session_info → generate_infrastructure_code → explain → run_checkov → create_resource → " +
      "get_resource_request_status, scanning on). Goal (issue 17): tools/list at most 5,000 tokens."
  )
  out.push("")
  out.push(
    table(
      ["tools/list", "ccapi", "reference"],
      [
        ["tools", n(ours.toolsList.tools), n(ref?.tools)],
        ["characters", n(ours.toolsList.characters), n(ref?.characters)],
        [
          `tokens (goal ≤ 5,000: ${ours.toolsList.tokens <= 5000 ? "met" : "missed"})`,
          n(ours.toolsList.tokens),
          n(ref?.tokens)
        ],
        ["of which descriptions", part(ours.toolsList, "descriptions"), part(ref, "descriptions")],
        ["of which input schemas", part(ours.toolsList, "inputSchemas"), part(ref, "inputSchemas")],
        ["of which output schemas", part(ours.toolsList, "outputSchemas"), part(ref, "outputSchemas")]
      ]
    )
  )
  out.push("")
  out.push(
    table(
      ["ccapi's create workflow, tokens", "tokens", "characters"],
      [
        ["structuredContent (what Claude Code passes on)", n(wf.structured.tokens), n(wf.structured.characters)],
        ["text content", n(wf.text.tokens), n(wf.text.characters)],
        ["both (a client that passes the whole result)", n(wf.both.tokens), n(wf.both.characters)],
        ["both, with tools/list once", n(wf.both.tokens + ours.toolsList.tokens), "—"]
      ]
    )
  )
  out.push("")
  // Measured the same way (bench/tokens.mjs) on main at 3289e6d, before results were shaped for the context.
  const before = { toolsList: 10269, structured: 2487, text: 3275, both: 5762 }
  const ratio = (now, then) => `${((100 * now) / then).toFixed(0)} %`
  out.push(
    `Before (main at 3289e6d, measured the same way): tools/list ${n(before.toolsList)} tokens, the workflow ` +
      `${n(before.both)} (structured ${n(before.structured)}, text ${n(before.text)}: the JSON again, indented). ` +
      `Now: tools/list ${ratio(ours.toolsList.tokens, before.toolsList)}, the workflow ` +
      `${ratio(wf.both.tokens, before.both)} (goal ≤ 50 %: ${wf.both.tokens <= before.both / 2 ? "met" : "missed"}), ` +
      `with tools/list ${ratio(wf.both.tokens + ours.toolsList.tokens, before.both + before.toolsList)}; ` +
      `structuredContent alone ${ratio(wf.structured.tokens, before.structured)}.`
  )
  out.push("")
  return out
}

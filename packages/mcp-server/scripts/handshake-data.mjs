// Records the handshake front's answers (src/transports/HandshakeFront.ts) from the built full server: for every
// combination of the settings that change the tool list, it spawns `dist/main.js`, asks `initialize` (in every
// 2025-era protocol version the SDK supports) and `tools/list`, and writes what the server answered, verbatim, to
// `dist/handshake.js`, stamped with the build id that dist/front.js was built with. tsup.config.ts runs it after every
// build; a failure fails the build.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { clearTimeout, setTimeout } from "node:timers"
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server"

const settingsKey = (s) => `readOnly=${s.readOnly};sandbox=${s.sandbox};securityScanning=${s.securityScanning}`
const allSettings = [false, true].flatMap((readOnly) =>
  [false, true].flatMap((sandbox) =>
    ["enabled", "disabled"].map((securityScanning) => ({ readOnly, sandbox, securityScanning }))
  )
)
/** The 2025-era versions: the 2026-07-28 era has no `initialize`. */
const versions = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version < "2026-07-28")

/** Spawns the full server with `settings`, sends `messages`, resolves with the answers by id. */
const ask = (main, settings, messages, home) =>
  new Promise((resolve, reject) => {
    const args = [main, ...(settings.readOnly ? ["--readonly"] : []), ...(settings.sandbox ? ["--sandbox"] : [])]
    const child = spawn(process.execPath, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        XDG_STATE_HOME: join(home, "state"),
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIAHANDSHAKEDATA000",
        AWS_SECRET_ACCESS_KEY: "not-a-secret",
        AWS_CONFIG_FILE: join(home, "absent"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "absent"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        CCAPI_JOURNAL: "off",
        CCAPI_SCHEMA_CACHE_DIR: "disabled",
        SECURITY_SCANNING: settings.securityScanning
      }
    })
    const wanted = messages.filter((m) => "id" in m).length
    const answers = new Map()
    let buffer = ""
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.stdout.on("data", (chunk) => {
      buffer += chunk
      let at
      while ((at = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, at))
        buffer = buffer.slice(at + 1)
        answers.set(message.id, message)
        if (answers.size === wanted) child.stdin.end()
      }
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      clearTimeout(timer)
      if (answers.size === wanted) resolve(answers)
      else
        reject(new Error(`${args.join(" ")} exited (${code}) after ${answers.size} of ${wanted} answers:\n${stderr}`))
    })
    for (const message of messages) child.stdin.write(`${JSON.stringify(message)}\n`)
  })

const initialize = (id, protocolVersion) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "ccapi-handshake-data", version: "1" } }
})

const resultOf = (answer, what) => {
  if (answer?.result === undefined) throw new Error(`${what}: no result: ${JSON.stringify(answer)}`)
  return answer.result
}

/** Records the answers of the full server `main` (a dist/main.js) into `out`. */
export const recordHandshake = async ({ main, out, buildId }) => {
  const home = mkdtempSync(join(tmpdir(), "ccapi-handshake-data-"))
  try {
    const answers = {}
    // Each distinct tool once (most are the same in every setting); a setting's list is indices into them.
    const tools = []
    const toolIndex = (tool) => {
      const json = JSON.stringify(tool)
      const at = tools.indexOf(json)
      return at >= 0 ? at : tools.push(json) - 1
    }
    const record = async (settings) => {
      const got = await ask(
        main,
        settings,
        [
          initialize(1, versions[0]),
          { jsonrpc: "2.0", method: "notifications/initialized" },
          { jsonrpc: "2.0", id: 2, method: "tools/list" }
        ],
        home
      )
      const { protocolVersion, ...rest } = resultOf(got.get(1), `${settingsKey(settings)} initialize`)
      if (protocolVersion !== versions[0])
        throw new Error(`asked ${versions[0]}, the server answered ${protocolVersion}`)
      const listed = resultOf(got.get(2), `${settingsKey(settings)} tools/list`)
      if (Object.keys(listed).join() !== "tools")
        throw new Error(`tools/list answered more than tools: ${Object.keys(listed)}`)
      answers[settingsKey(settings)] = { initialize: JSON.stringify(rest), tools: listed.tools.map(toolIndex) }
    }
    // Four servers at a time.
    for (let i = 0; i < allSettings.length; i += 4) await Promise.all(allSettings.slice(i, i + 4).map(record))
    // The other versions: the server answers them as asked, and otherwise the same.
    const reference = answers[settingsKey(allSettings[0])].initialize
    await Promise.all(
      versions.slice(1).map(async (version) => {
        const got = await ask(main, allSettings[0], [initialize(1, version)], home)
        const { protocolVersion, ...rest } = resultOf(got.get(1), `initialize ${version}`)
        if (protocolVersion !== version || JSON.stringify(rest) !== reference)
          throw new Error(`initialize ${version}: the server answered differently: ${JSON.stringify(got.get(1))}`)
      })
    )
    const data = { buildId, versions, tools, answers }
    const name = basename(out)
    writeFileSync(
      out,
      `// Generated by scripts/handshake-data.mjs from this build's dist/main.js: the handshake front's answers.\n` +
        `export default JSON.parse(${JSON.stringify(JSON.stringify(data))})\n` +
        `//# sourceMappingURL=${name}.map\n`
    )
    // Like every file of the bundle, it names where it came from (the package tests read every sourcemap).
    writeFileSync(
      `${out}.map`,
      JSON.stringify({ version: 3, file: name, sources: ["../scripts/handshake-data.mjs"], names: [], mappings: "" })
    )
    return data
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

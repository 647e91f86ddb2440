// Installs AWS Labs' Python server (the reference) into a project-local virtual environment, idempotently.
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"

export const REFERENCE_PACKAGE = "awslabs.ccapi-mcp-server"
export const REFERENCE_VERSION = "1.0.18"
// The same Checkov release as ours (scripts/setup-checkov.mjs), so the scan comparison measures the servers.
export const REFERENCE_CHECKOV_VERSION = "3.3.30"
// 1.0.18 declares `mcp[cli]>=1.23.0`, which now resolves to mcp 2.x, where `mcp.server.fastmcp` no longer exists
// and the server cannot start. Pin the MCP SDK to a 1.x release it was written for.
export const REFERENCE_MCP_VERSION = "1.30.0"

const run = (file, args, { timeoutMs, env = process.env, cwd } = {}) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const tail = `${stderr}${stdout}`.trim().split("\n").slice(-6).join("\n")
        reject(new Error(`${file} ${args.join(" ")} failed (${error.code ?? error.signal ?? "error"}): ${tail}`))
      } else {
        resolve(stdout.trim())
      }
    })
  })

const pipEnv = () => ({ ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" })

const installedVersion = async (python, distribution) => {
  try {
    return await run(
      python,
      ["-c", `import importlib.metadata as m; print(m.version(${JSON.stringify(distribution)}))`],
      { timeoutMs: 60_000 }
    )
  } catch {
    return undefined
  }
}

/**
 * Make sure `bench/.work/reference-venv` holds the reference server at its pinned version.
 * Resolves to `{ ok: true, bin, python, binDir, version, checkovVersion, mcpVersion, pythonVersion, installSeconds }`
 * or `{ ok: false, reason }`; never rejects, so the harness can still report ccapi's own figures.
 */
export const ensureReference = async (workDir, log) => {
  const venvDir = join(workDir, "reference-venv")
  const binDir = join(venvDir, "bin")
  const python = join(binDir, "python")
  const bin = join(binDir, REFERENCE_PACKAGE)
  try {
    const started = Date.now()
    let installSeconds
    const present =
      existsSync(bin) &&
      (await installedVersion(python, REFERENCE_PACKAGE)) === REFERENCE_VERSION &&
      (await installedVersion(python, "checkov")) === REFERENCE_CHECKOV_VERSION &&
      (await installedVersion(python, "mcp")) === REFERENCE_MCP_VERSION
    if (present) {
      log(`reference ${REFERENCE_PACKAGE}==${REFERENCE_VERSION} already installed in ${venvDir}`)
    } else {
      log(`installing ${REFERENCE_PACKAGE}==${REFERENCE_VERSION} into ${venvDir} (a minute or two, once)`)
      if (!existsSync(python)) await run("python3", ["-m", "venv", venvDir], { timeoutMs: 300_000 })
      await run(
        python,
        [
          "-m",
          "pip",
          "install",
          "--quiet",
          `${REFERENCE_PACKAGE}==${REFERENCE_VERSION}`,
          `checkov==${REFERENCE_CHECKOV_VERSION}`,
          `mcp[cli]==${REFERENCE_MCP_VERSION}`
        ],
        { timeoutMs: 1_800_000, env: pipEnv() }
      )
      installSeconds = Math.round((Date.now() - started) / 1000)
    }
    const version = await installedVersion(python, REFERENCE_PACKAGE)
    if (version !== REFERENCE_VERSION || !existsSync(bin)) {
      return { ok: false, reason: `after installing, ${REFERENCE_PACKAGE} reports version ${JSON.stringify(version)}` }
    }
    const checkovVersion = await installedVersion(python, "checkov")
    const mcpVersion = await installedVersion(python, "mcp")
    const pythonVersion = (await run(python, ["--version"], { timeoutMs: 30_000 })).replace(/^Python\s+/, "")
    return { ok: true, bin, python, binDir, version, checkovVersion, mcpVersion, pythonVersion, installSeconds }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

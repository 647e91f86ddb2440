#!/usr/bin/env node
// Installs the pinned Checkov into a project-local virtual environment at <repo>/.venv/checkov.
// Idempotent: does nothing when the venv already reports the pinned version.
// On failure: exits non-zero when CI or CCAPI_REQUIRE_CHECKOV=1 is set, otherwise warns and exits 0
// (the Checkov adapter's tests then report themselves as skipped, with the reason).
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const CHECKOV_VERSION = "3.3.30"
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const venvDir = join(repoRoot, ".venv", "checkov")
const binDir = join(venvDir, process.platform === "win32" ? "Scripts" : "bin")
const checkovBin = join(binDir, "checkov")
const pythonBin = join(binDir, "python")
const required = Boolean(process.env.CI) || process.env.CCAPI_REQUIRE_CHECKOV === "1"
const status = (line) => process.stderr.write(`[setup-checkov] ${line}\n`)

const run = (file, args, timeoutMs) =>
  new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      {
        cwd: repoRoot,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", CKV_NO_UPDATE: "1" }
      },
      (error, stdout, stderr) => {
        if (error) {
          if (error.code === "ENOENT") {
            reject(new Error(`${file} was not found (Checkov needs Python 3.10+ with the venv module on PATH)`))
            return
          }
          const tail = `${stderr}${stdout}`.trim().split("\n").slice(-8).join("\n")
          reject(new Error(`${file} ${args.join(" ")} failed (${error.code ?? error.signal ?? "error"}): ${tail}`))
        } else {
          resolvePromise(stdout.trim())
        }
      }
    )
  })

const installedVersion = async () => {
  if (!existsSync(checkovBin)) return undefined
  try {
    return await run(checkovBin, ["--version"], 120_000)
  } catch {
    return undefined
  }
}

const main = async () => {
  const before = await installedVersion()
  if (before === CHECKOV_VERSION) {
    status(`checkov ${CHECKOV_VERSION} already installed at ${checkovBin}`)
    return
  }
  const started = Date.now()
  if (!existsSync(pythonBin)) {
    await run("python3", ["-m", "venv", venvDir], 300_000)
  }
  await run(pythonBin, ["-m", "pip", "install", "--quiet", `checkov==${CHECKOV_VERSION}`], 1_800_000)
  const after = await installedVersion()
  if (after !== CHECKOV_VERSION) {
    throw new Error(`after installing, ${checkovBin} --version printed ${JSON.stringify(after)}`)
  }
  const seconds = Math.round((Date.now() - started) / 1000)
  status(`installed checkov ${CHECKOV_VERSION} into ${venvDir} in ${seconds}s`)
}

main().catch((error) => {
  const reason = error instanceof Error ? error.message : String(error)
  if (required) {
    status(`FAILED to install checkov ${CHECKOV_VERSION} (required because CI or CCAPI_REQUIRE_CHECKOV=1): ${reason}`)
    process.exit(1)
  }
  status(
    `warning: could not install checkov ${CHECKOV_VERSION}; scanner tests will be skipped. ` +
      `Set CCAPI_REQUIRE_CHECKOV=1 to make this fatal. Reason: ${reason}`
  )
})

// Installs pinned Python packages into a project-local virtual environment at <repo>/.venv/<name>.
// Idempotent: does nothing when the venv's probe already prints the pinned version.
// On failure: exits non-zero when `required` (CI, or the tool's CCAPI_REQUIRE_* variable), otherwise warns and
// exits 0 (the tests that need the tool then report themselves as skipped, with the reason).
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

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
            reject(new Error(`${file} was not found (this needs Python 3.10+ with the venv module on PATH)`))
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

/**
 * @param {{ name: string, packages: string[], probe: { bin: string, args: string[] }, version: (output: string) => string | undefined, expected: string, required: boolean }} spec
 *   `probe.bin` is relative to the venv's bin directory; `version` reads the installed version from its output.
 */
export const ensureVenv = async (spec) => {
  const venvDir = join(repoRoot, ".venv", spec.name)
  const binDir = join(venvDir, process.platform === "win32" ? "Scripts" : "bin")
  const pythonBin = join(binDir, "python")
  const probeBin = join(binDir, spec.probe.bin)
  const status = (line) => process.stderr.write(`[setup ${spec.name}] ${line}\n`)
  const installed = async () => {
    if (!existsSync(probeBin)) return undefined
    try {
      return spec.version(await run(probeBin, spec.probe.args, 120_000))
    } catch {
      return undefined
    }
  }
  try {
    if ((await installed()) === spec.expected) {
      status(`${spec.packages.join(" ")} already installed in ${venvDir}`)
      return
    }
    const started = Date.now()
    if (!existsSync(pythonBin)) await run("python3", ["-m", "venv", venvDir], 300_000)
    await run(pythonBin, ["-m", "pip", "install", "--quiet", ...spec.packages], 1_800_000)
    const after = await installed()
    if (after !== spec.expected)
      throw new Error(`after installing, ${probeBin} reported ${JSON.stringify(after)}, not ${spec.expected}`)
    status(`installed ${spec.packages.join(" ")} into ${venvDir} in ${Math.round((Date.now() - started) / 1000)}s`)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (spec.required) {
      status(`FAILED to install ${spec.packages.join(" ")} (required here): ${reason}`)
      process.exit(1)
    }
    status(`warning: could not install ${spec.packages.join(" ")}; the tests that need them will be skipped. ${reason}`)
  }
}

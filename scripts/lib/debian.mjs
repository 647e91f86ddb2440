// Installs Debian packages with apt-get when a program they provide is missing. Idempotent: a program already found
// installs nothing. Needs root (the CI machine and the dev containers are root); `apt-get update` runs once per call.
import { execFile } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"

const run = (file, args, timeoutMs) =>
  new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stderr}${stdout}`.trim().split("\n").slice(-8).join("\n")
          reject(new Error(`${file} ${args.join(" ")} failed (${error.code ?? error.signal ?? "error"}): ${tail}`))
        } else resolvePromise(stdout.trim())
      }
    )
  })

const onPath = (name) =>
  (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file))

/** Where a program is: the first of `candidates` that exists, else the PATH, else undefined. */
export const findProgram = (name, candidates = []) => candidates.find((file) => existsSync(file)) ?? onPath(name)

/** PostgreSQL's server programs live in /usr/lib/postgresql/<major>/bin on Debian: the newest major's directory. */
export const postgresBinDir = () => {
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const majors = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))
  return majors[0] !== undefined ? join(root, majors[0], "bin") : undefined
}

/**
 * @param {{ name: string, packages: Array<{ deb: string, present: () => boolean }>, required: boolean, hint: string }} spec
 *   Each `deb` is installed when its `present()` is false. On failure: exit non-zero when `required`, else warn.
 */
export const ensureDebianPackages = async (spec) => {
  const status = (line) => process.stderr.write(`[setup ${spec.name}] ${line}\n`)
  const missing = spec.packages.filter((p) => !p.present()).map((p) => p.deb)
  if (missing.length === 0) {
    status(`${spec.packages.map((p) => p.deb).join(", ")} already installed`)
    return true
  }
  try {
    if (process.getuid?.() !== 0) throw new Error("installing Debian packages needs root (apt-get)")
    if (!findProgram("apt-get")) throw new Error("apt-get was not found (this needs a Debian or Ubuntu machine)")
    status(`installing ${missing.join(", ")} with apt-get`)
    // Another apt-get (an unattended upgrade, a parallel setup) may hold the lock: wait for it rather than fail.
    const lock = ["-o", "DPkg::Lock::Timeout=600"]
    await run("apt-get", [...lock, "update", "-qq"], 900_000)
    await run("apt-get", [...lock, "install", "-y", "-qq", "--no-install-recommends", ...missing], 900_000)
    const still = spec.packages.filter((p) => !p.present()).map((p) => p.deb)
    if (still.length > 0) throw new Error(`${still.join(", ")} installed, but its programs were not found`)
    status(`installed ${missing.join(", ")}`)
    return true
  } catch (error) {
    const message = `could not install ${missing.join(", ")}: ${error instanceof Error ? error.message : String(error)}. ${spec.hint}`
    if (spec.required) {
      status(`error: ${message}`)
      process.exit(1)
    }
    status(`warning: ${message}`)
    return false
  }
}

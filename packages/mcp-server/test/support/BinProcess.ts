import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/*
 * The built bin as a child process, for the tests that spawn it (`npm run build` first; the root pretest runs it).
 */

/**
 * An environment for a bin of a test's own: this process's, without any AWS_* or CCAPI_* setting (the machine's
 * profile, credentials and ccapi settings stay out), then a fresh HOME (and XDG_STATE_HOME under it), no AWS config or
 * credentials file, no instance metadata, no schema cache, and `extra`.
 */
export const isolatedEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const home = mkdtempSync(path.join(os.tmpdir(), "ccapi-home-"))
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith("AWS_") && !key.startsWith("CCAPI_") && value !== undefined) env[key] = value
  return {
    ...env,
    HOME: home,
    XDG_STATE_HOME: path.join(home, "state"),
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    CCAPI_SCHEMA_CACHE_DIR: "disabled",
    ...extra
  }
}

/**
 * `bin --http --port 0 ...args` with `env`, once it says where it listens: its URL, what it wrote to stdout and to
 * stderr so far, and `stop`, which sends `signal` and resolves with the exit code. Rejects if it exits first.
 */
export const startHttpBin = async (bin: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [bin, "--http", "--port", "0", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const match = /listening on (http:\/\/\S+\/mcp)/.exec(stderr)
      if (match) resolve(match[1]!)
    })
    void exited.then(() => reject(new Error(`exited early: ${stderr}`)))
  })
  return {
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: (signal: NodeJS.Signals = "SIGTERM") => {
      child.kill(signal)
      return exited
    }
  }
}

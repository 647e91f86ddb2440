// Small helpers for child processes the harness owns: the sandbox endpoint and one-off timed commands.
import { execFile, spawn } from "node:child_process"
import { performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { clearTimeout, setTimeout } from "node:timers"

/** Spawn `node script` and wait for the JSON line it prints with `{ url }`; `stop()` ends that child only. */
export const startEndpointProcess = (script, env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...env }
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000)
    })
    const timer = setTimeout(() => {
      child.kill("SIGTERM")
      reject(new Error(`the sandbox did not print its URL within 60 s. stderr:\n${stderr}`))
    }, 60_000)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the sandbox exited early (${code ?? signal}). stderr:\n${stderr}`))
    })
    const lines = createInterface({ input: child.stdout })
    lines.once("line", (line) => {
      clearTimeout(timer)
      try {
        const { url } = JSON.parse(line)
        resolve({
          url,
          pid: child.pid,
          stderr: () => stderr,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done()
              child.removeAllListeners("exit")
              child.once("exit", () => done())
              child.stdin.end()
              child.kill("SIGTERM")
            })
        })
      } catch (error) {
        reject(new Error(`the sandbox printed ${JSON.stringify(line)} instead of {"url": …}: ${error.message}`))
      }
    })
  })

/** Run a command to completion and time it; resolves `{ ms, code, stdout, stderr }` even when it fails. */
export const timedExec = (file, args, options = {}) =>
  new Promise((resolve) => {
    const started = performance.now()
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: 300_000, ...options }, (error, stdout, stderr) => {
      resolve({
        ms: performance.now() - started,
        code: error ? (error.code ?? error.signal ?? 1) : 0,
        stdout: String(stdout),
        stderr: String(stderr)
      })
    })
  })

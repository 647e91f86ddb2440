import { spawn } from "node:child_process"
import { Data, Effect } from "effect"

/** The executable could not be started (missing, not executable). */
export class SpawnFailed extends Data.TaggedError("SpawnFailed")<{
  readonly file: string
  readonly code: string
  readonly detail: string
}> {}

/** The process produced more output than we are willing to buffer. */
export class OutputTooLarge extends Data.TaggedError("OutputTooLarge")<{ readonly limitBytes: number }> {}

/** How a finished process ended and what it printed. */
export interface ProcessResult {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly cwd: string
  readonly env: Record<string, string>
  readonly maxBufferBytes: number
  /** Called with the child's pid as soon as it is spawned. */
  readonly onSpawn?: (pid: number) => void
}

const killGroup = (pid: number) => {
  try {
    // The child leads its own process group (detached), so this also reaches the workers it forked.
    process.kill(-pid, "SIGKILL")
  } catch {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `file args` to completion and collects its output. The child leads a new process group; interrupting the
 * effect kills that whole group and waits for the child to exit, so nothing outlives the scan. (`execFile` cannot
 * start a process group, hence `spawn` with the same buffering.)
 */
export const runProcess = (
  file: string,
  args: ReadonlyArray<string>,
  options: RunOptions
): Effect.Effect<ProcessResult, SpawnFailed | OutputTooLarge> =>
  Effect.callback<ProcessResult, SpawnFailed | OutputTooLarge>((resume) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
      detached: true
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    let size = 0
    let settled = false
    const settle = (effect: Effect.Effect<ProcessResult, SpawnFailed | OutputTooLarge>) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    const collect = (into: Array<Buffer>) => (chunk: Buffer) => {
      size += chunk.length
      if (size > options.maxBufferBytes) {
        if (child.pid !== undefined) killGroup(child.pid)
        settle(Effect.fail(new OutputTooLarge({ limitBytes: options.maxBufferBytes })))
      } else {
        into.push(chunk)
      }
    }
    child.stdout.on("data", collect(stdout))
    child.stderr.on("data", collect(stderr))
    child.once("error", (error: NodeJS.ErrnoException) =>
      settle(Effect.fail(new SpawnFailed({ file, code: error.code ?? "UNKNOWN", detail: error.message })))
    )
    child.once("close", (exitCode, signal) =>
      settle(
        Effect.succeed({
          exitCode,
          signal,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8")
        })
      )
    )
    if (child.pid !== undefined) options.onSpawn?.(child.pid)
    return Effect.callback<void>((done) => {
      if (child.pid !== undefined) killGroup(child.pid)
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        done(Effect.void)
      } else {
        child.once("exit", () => done(Effect.void))
      }
    })
  })

import { spawn, type ChildProcess } from "node:child_process"
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import { constants, tmpdir } from "node:os"
import { basename, delimiter, isAbsolute, join } from "node:path"
import { createInterface } from "node:readline"
import { Data, Effect } from "effect"
import { OutputTooLarge, type ProcessResult } from "./Process.js"
import { WORKER_PROGRAM } from "./WorkerProgram.js"

/** The worker could not be started or did not get Checkov imported (the scan can still run the CLI). */
export class WorkerUnavailable extends Data.TaggedError("WorkerUnavailable")<{ readonly detail: string }> {}

/** The worker ended while a scan was in progress (the scan can be run again, by a new worker or the CLI). */
export class WorkerDied extends Data.TaggedError("WorkerDied")<{ readonly detail: string }> {}

/**
 * The Python interpreter of a Checkov installation: the absolute `#!…/python3` line of its `checkov` script (pip,
 * pipx and virtualenvs write one). Undefined when the executable is not such a script (a binary, a shell wrapper,
 * `#!/usr/bin/env python3`, whose interpreter need not be the one Checkov was installed into).
 */
export const interpreterOf = (bin: string): string | undefined => {
  const path = isAbsolute(bin) || bin.includes("/") ? bin : findOnPath(bin)
  if (path === undefined) return undefined
  let fd: number | undefined
  try {
    fd = openSync(path, "r")
    const head = Buffer.alloc(256)
    const size = readSync(fd, head, 0, head.length, 0)
    const first = head.subarray(0, size).toString("utf8").split("\n")[0] ?? ""
    if (!first.startsWith("#!")) return undefined
    const interpreter = first.slice(2).trim()
    return isAbsolute(interpreter) && /^python[\d.]*$/.test(basename(interpreter)) ? interpreter : undefined
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const findOnPath = (name: string): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, name)
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

const signalName = (negative: number): string =>
  Object.entries(constants.signals).find(([, n]) => n === -negative)?.[0] ?? `signal ${-negative}`

interface Reply {
  readonly id?: number
  readonly exit?: number
  readonly ready?: boolean
  readonly version?: string
  readonly error?: string
}

/** One running worker process and the scans waiting for its answers. */
interface Running {
  readonly child: ChildProcess
  readonly home: string
  readonly ready: Promise<void>
  readonly waiting: Map<number, (exit: number | Error) => void>
}

export interface WorkerOptions {
  readonly python: string
  /** The environment of the worker (Checkov's offline switches); HOME is replaced per scan. */
  readonly env: (home: string) => Record<string, string>
  readonly maxOutputBytes: number
  readonly onSpawn?: ((pid: number) => void) | undefined
}

const killGroup = (child: ChildProcess) => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    child.kill("SIGKILL")
  }
}

/**
 * A long-lived Checkov worker: started on the first scan, restarted after it dies, killed (with any scan in
 * progress) by `stop` and by interrupting a scan (a timeout). Requests queue in the worker, which runs one scan at a
 * time; a scan that dies with its worker fails with `WorkerDied` and can be run again.
 */
export const makeWorker = (options: WorkerOptions) => {
  let running: Running | undefined
  let nextId = 1

  const start = (): Running => {
    const home = mkdtempSync(join(tmpdir(), "ccapi-checkov-worker-"))
    const child = spawn(options.python, ["-c", WORKER_PROGRAM], {
      cwd: home,
      env: options.env(home),
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
      detached: true
    })
    const waiting = new Map<number, (exit: number | Error) => void>()
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000)
    })
    const ready = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! })
      lines.on("line", (line) => {
        let reply: Reply
        try {
          reply = JSON.parse(line) as Reply
        } catch {
          return
        }
        if (reply.ready === true) resolve()
        else if (reply.ready === false) reject(new Error(reply.error ?? "Checkov could not be imported"))
        else if (reply.id !== undefined && typeof reply.exit === "number") {
          waiting.get(reply.id)?.(reply.exit)
          waiting.delete(reply.id)
        }
      })
      const gone = (why: string) => {
        const error = new Error(`${why}${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`)
        reject(error)
        for (const resume of waiting.values()) resume(error)
        waiting.clear()
        if (running?.child === child) running = undefined
        rmSync(home, { recursive: true, force: true })
      }
      child.once("error", (error) => gone(`the worker could not be started (${error.message})`))
      child.once("exit", (code, signal) => gone(`the worker exited (${signal ?? `status ${code ?? "unknown"}`})`))
    })
    ready.catch(() => undefined)
    child.stdin?.on("error", () => undefined)
    if (child.pid !== undefined) options.onSpawn?.(child.pid)
    return { child, home, ready, waiting }
  }

  const stop = () => {
    const current = running
    running = undefined
    if (current !== undefined) killGroup(current.child)
  }

  /** Runs `checkov <args>` in `dir` (the scan's private directory) and returns what the CLI would have. */
  const run = (
    args: ReadonlyArray<string>,
    dir: string
  ): Effect.Effect<ProcessResult, WorkerUnavailable | WorkerDied | OutputTooLarge> =>
    Effect.gen(function* () {
      const current = running ?? (running = start())
      yield* Effect.tryPromise({
        try: () => current.ready,
        catch: (error) => new WorkerUnavailable({ detail: error instanceof Error ? error.message : String(error) })
      })
      const id = nextId++
      const exit = yield* Effect.callback<number, WorkerDied>((resume) => {
        current.waiting.set(id, (result) =>
          resume(
            typeof result === "number"
              ? Effect.succeed(result)
              : Effect.fail(new WorkerDied({ detail: result.message }))
          )
        )
        current.child.stdin?.write(`${JSON.stringify({ id, cwd: dir, home: dir, args })}\n`)
        // Interrupted (the scan's timeout): the scan in progress dies with the worker; the next scan starts another.
        return Effect.sync(() => {
          if (current.waiting.delete(id)) {
            if (running === current) running = undefined
            killGroup(current.child)
          }
        })
      })
      const stdoutFile = join(dir, "stdout.json")
      const size = yield* Effect.promise(() =>
        stat(stdoutFile).then(
          (s) => s.size,
          () => 0
        )
      )
      if (size > options.maxOutputBytes) return yield* new OutputTooLarge({ limitBytes: options.maxOutputBytes })
      const read = (file: string) => Effect.promise(() => readFile(join(dir, file), "utf8").catch(() => ""))
      return {
        exitCode: exit < 0 ? null : exit,
        signal: exit < 0 ? signalName(exit) : null,
        stdout: yield* read("stdout.json"),
        stderr: yield* read("stderr.txt")
      } satisfies ProcessResult
    }).pipe(Effect.withSpan("CheckovWorker.run"))

  return { run, stop }
}

export type CheckovWorker = ReturnType<typeof makeWorker>

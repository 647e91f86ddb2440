import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import * as net from "node:net"
import { join } from "node:path"

/** What to run to install what a service test needs, named in every "not found" message. */
/**
 * A server of a test's own on a random loopback port: its URL; stop it (the port stays reserved for `start`: what
 * "the service is down" looks like to a client), start it again on the same port, and dispose of it.
 */
export interface LocalService {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Stop it and remove its directory. */
  readonly dispose: () => Promise<void>
}

export const setupHint = "Install it with `node scripts/setup-services.mjs` (run as root; `npm test` runs it first)."

/** A free TCP port on loopback, chosen by the kernel. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export const waitForPort = async (port: number, timeoutMs: number, exited: () => string | undefined) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.on("error", () => resolve(false))
    })
    if (open) return
    const why = exited()
    if (why !== undefined) throw new Error(why)
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The first existing file among `candidates`, else `name` on the PATH. */
export const findProgram = (name: string, candidates: ReadonlyArray<string> = []): string | undefined =>
  candidates.find((file) => existsSync(file)) ??
  (process.env["PATH"] ?? "")
    .split(":")
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file))

/** Debian keeps PostgreSQL's server programs in /usr/lib/postgresql/<major>/bin: the newest major's. */
export const postgresBinDir = (): string | undefined => {
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const majors = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))
  return majors[0] !== undefined ? join(root, majors[0], "bin") : undefined
}

/** The uid and gid of a system user, from /etc/passwd (PostgreSQL refuses to run as root: it runs as `postgres`). */
export const systemUser = (name: string): { readonly uid: number; readonly gid: number } | undefined => {
  if (!existsSync("/etc/passwd")) return undefined
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [user, , uid, gid] = line.split(":")
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

/** Runs a program to completion; rejects with its output's tail when it fails. */
export const runToEnd = (file: string, args: ReadonlyArray<string>, options: SpawnOptions = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("error", reject)
    child.on("exit", (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${file} ${args.join(" ")} failed (${code ?? signal}): ${output.trim().slice(-800)}`))
    )
  })

/** A long-running child, its output kept (the tail goes into error messages), and how it exited. */
export const startChild = (file: string, args: ReadonlyArray<string>, options: SpawnOptions = {}) => {
  const child: ChildProcess = spawn(file, args, { ...options, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  let exit: string | undefined
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => {
    child.on("error", (error) => {
      exit = `${file} could not start: ${error.message}`
      resolve()
    })
    child.on("exit", (code, signal) => {
      exit = `${file} exited (${code ?? signal}): ${output.trim().slice(-800)}`
      resolve()
    })
  })
  return {
    child,
    exited,
    /** Why it stopped, once it has. */
    exitReason: () => exit,
    /** The last 4000 characters it wrote (stdout and stderr together). */
    output: () => output,
    /** Resolves with the match once its output has shown `pattern`; rejects after `timeoutMs` or when it exits. */
    waitForOutput: async (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => {
      const deadline = Date.now() + timeoutMs
      for (let match = pattern.exec(output); ; match = pattern.exec(output)) {
        if (match !== null) return match
        if (exit !== undefined) throw new Error(exit)
        if (Date.now() > deadline)
          throw new Error(`${file} did not say ${pattern} within ${timeoutMs} ms: ${output.slice(-800)}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    /** Ends it with `signal` and waits until it has. */
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (exit === undefined) child.kill(signal)
      await exited
    }
  }
}

/**
 * The `LocalService` of a server a test owns: `start` spawns it (unless it is running) and waits until `ready` says it
 * serves; `stop` ends it with `signal`; `dispose` stops it and removes `dir`, its temporary directory.
 */
export const localService = async (service: {
  readonly url: string
  readonly port: number
  readonly dir: string
  readonly signal: NodeJS.Signals
  readonly spawn: () => ReturnType<typeof startChild>
  readonly ready: (child: ReturnType<typeof startChild>) => Promise<void>
}): Promise<LocalService> => {
  let running: ReturnType<typeof startChild> | undefined
  const start = async () => {
    if (running !== undefined && running.exitReason() === undefined) return
    const child = service.spawn()
    running = child
    await service.ready(child)
  }
  const stop = async () => {
    await running?.stop(service.signal)
    running = undefined
  }
  await start()
  return {
    url: service.url,
    port: service.port,
    stop,
    start,
    dispose: async () => {
      await stop()
      await rm(service.dir, { recursive: true, force: true })
    }
  }
}

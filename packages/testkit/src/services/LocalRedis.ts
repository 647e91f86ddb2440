import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  findProgram,
  freePort,
  type LocalService,
  localService,
  setupHint,
  startChild,
  waitForPort
} from "./LocalProcess.js"

/** A redis-server of a test's own on a random loopback port, without persistence (`start` after `stop` is empty). */
export type LocalRedis = LocalService

/** Where Debian's redis-server is; throws, naming the setup script, when it is not installed. */
export const redisServerBin = (): string => {
  const bin = findProgram("redis-server", ["/usr/bin/redis-server"])
  if (bin === undefined) throw new Error(`redis-server was not found. ${setupHint}`)
  return bin
}

/** Starts a redis-server on 127.0.0.1 on a free port, in a temporary directory. */
export const startLocalRedis = async (): Promise<LocalRedis> => {
  const bin = redisServerBin()
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), "ccapi-redis-"))
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"]
  return localService({
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    signal: "SIGKILL",
    spawn: () => startChild(bin, [...args, "--protected-mode", "yes", "--daemonize", "no"]),
    ready: (child) => waitForPort(port, 10_000, child.exitReason)
  })
}

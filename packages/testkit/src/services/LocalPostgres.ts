import { chown, mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  findProgram,
  freePort,
  postgresBinDir,
  runToEnd,
  setupHint,
  startChild,
  systemUser,
  type LocalService,
  localService,
  waitForPort
} from "./LocalProcess.js"

/**
 * A PostgreSQL cluster of a test's own on a random loopback port, in a temporary directory; its URL is
 * `postgres://ccapi@127.0.0.1:<port>/postgres` (trust authentication on loopback: a throwaway cluster), and `start`
 * after `stop` keeps the data.
 */
export type LocalPostgres = LocalService

/** Where Debian's PostgreSQL server programs are; throws, naming the setup script, when they are not installed. */
export const postgresPrograms = () => {
  const dir = postgresBinDir()
  const initdb = findProgram("initdb", dir !== undefined ? [join(dir, "initdb")] : [])
  const postgres = findProgram("postgres", dir !== undefined ? [join(dir, "postgres")] : [])
  if (initdb === undefined || postgres === undefined) throw new Error(`PostgreSQL was not found. ${setupHint}`)
  return { initdb, postgres }
}

/**
 * Creates a cluster (`initdb`, trust authentication, superuser `ccapi`) and starts `postgres` on 127.0.0.1 on a free
 * port, its socket in its own directory. PostgreSQL refuses to run as root: as root, both run as the `postgres`
 * system user that Debian's package creates (the spawn's uid/gid, like `runuser -u postgres`), and the directory is
 * handed to it.
 */
export const startLocalPostgres = async (): Promise<LocalPostgres> => {
  const { initdb, postgres } = postgresPrograms()
  const asUser = process.getuid?.() === 0 ? systemUser("postgres") : undefined
  if (process.getuid?.() === 0 && asUser === undefined)
    throw new Error(`PostgreSQL cannot run as root and there is no postgres user. ${setupHint}`)
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), "ccapi-postgres-"))
  if (asUser !== undefined) await chown(dir, asUser.uid, asUser.gid)
  const data = join(dir, "data")
  const options = { ...(asUser ?? {}), cwd: dir, env: { ...process.env, LC_ALL: "C", TZ: "UTC" } }
  await runToEnd(
    initdb,
    ["-D", data, "-U", "ccapi", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
    options
  )
  const settings = ["listen_addresses=127.0.0.1", `port=${port}`, `unix_socket_directories=${dir}`, "fsync=off"]
  return localService({
    url: `postgres://ccapi@127.0.0.1:${port}/postgres`,
    port,
    dir,
    // SIGINT is PostgreSQL's fast shutdown: clients are disconnected at once.
    signal: "SIGINT",
    spawn: () => startChild(postgres, ["-D", data, ...settings.flatMap((s) => ["-c", s])], options),
    ready: async (child) => {
      await waitForPort(port, 20_000, child.exitReason)
      // The port opens before recovery ends ("the database system is starting up"): wait for the server's own word.
      await child.waitForOutput(/database system is ready to accept connections/, 20_000)
    }
  })
}

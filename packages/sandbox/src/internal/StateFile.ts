import { randomBytes } from "node:crypto"
import { promises as fs } from "node:fs"
import { basename, dirname, join } from "node:path"

/**
 * Write `text` to `path` atomically: a temporary file in the same directory, flushed to disk, then renamed over the
 * old one, so a crash at any moment leaves either the previous file or the new one, never a torn one.
 */
export const writeAtomically = async (path: string, text: string): Promise<void> => {
  const directory = dirname(path)
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
  const handle = await fs.open(temporary, "w", 0o600)
  try {
    await handle.writeFile(text, "utf8")
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(temporary, path)
  } catch (error) {
    await fs.rm(temporary, { force: true })
    throw error
  }
  // Make the rename itself durable; some platforms cannot open a directory, which only weakens durability.
  const dir = await fs.open(directory, "r").catch(() => undefined)
  if (dir !== undefined)
    await dir
      .sync()
      .catch(() => undefined)
      .finally(() => dir.close())
}

/** The file's text, or `undefined` when it does not exist yet. */
export const readIfExists = async (path: string): Promise<string | undefined> => {
  try {
    return await fs.readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Temporary files that a crashed writer left next to `path` (a live writer's files are left alone). */
export const removeLeftovers = async (path: string): Promise<void> => {
  const prefix = `.${basename(path)}.`
  const entries = await fs.readdir(dirname(path)).catch(() => [] as Array<string>)
  await Promise.all(
    entries
      .filter((name) => name.startsWith(prefix) && name.endsWith(".tmp"))
      .filter((name) => {
        const pid = Number(name.slice(prefix.length).split(".")[0])
        return !Number.isInteger(pid) || (pid !== process.pid && !isAlive(pid))
      })
      .map((name) => fs.rm(join(dirname(path), name), { force: true }))
  )
}

import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Layer, Ref, Schema, Semaphore } from "effect"
import { Journal, JournalEntry, JournalUnavailable, pendingIntentsOf } from "@ccapi/core"

/** Keys whose values are never written, whatever a caller puts in `details`: workflow tokens and credentials. */
const secretKey =
  /^(environment|credentials|generated_?code|explained|security_?scan)_?token$|secret|password|session_?token|access_?key|authorization/i

/** A copy of an encoded entry with the values of secret-looking keys replaced by `[redacted]`. */
export const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact)
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: secretKey.test(key) ? "[redacted]" : redact(item),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return value
}

const encode = Schema.encodeSync(JournalEntry)
const decode = Schema.decodeUnknownOption(JournalEntry)

/** The entries of a journal file's text; a line that is not an entry (a torn last line after a crash) is skipped. */
export const parseLines = (text: string): ReadonlyArray<JournalEntry> => {
  const entries: Array<JournalEntry> = []
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      continue
    }
    const entry = decode(value)
    if (entry._tag === "Some") entries.push(entry.value)
  }
  return entries
}

/** The error code of a failed file operation (`ENOTDIR`, `EACCES`, `ENOSPC`, …), when Node gave one. */
const codeOf = (cause: unknown): string | undefined => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  return typeof code === "string" ? code : undefined
}

/**
 * The Journal port as a JSON Lines file: one entry per line, appended in order (one write at a time) and fdatasync'd
 * before `append` returns, the file created with mode 0600 in a 0700 directory. A write that fails is a `JournalUnavailable` — the workflow then sends
 * no mutation — and is logged as a warning once.
 */
export const make = (file: string) =>
  Effect.gen(function* () {
    const warned = yield* Ref.make(false)
    const prepared = yield* Ref.make(false)
    const oneWriter = yield* Semaphore.make(1)
    // The directory is made before the first write, and again whenever the file cannot be opened for want of it.
    let directoryMade = false
    const open = async () => {
      if (!directoryMade) {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
        directoryMade = true
      }
      try {
        return await fs.open(file, "a", 0o600)
      } catch (error) {
        if (codeOf(error) !== "ENOENT") throw error
        directoryMade = false
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
        directoryMade = true
        return await fs.open(file, "a", 0o600)
      }
    }
    // Write-ahead: an entry counts as recorded once it is on disk (written and fdatasync'd: the data and the file's new
    // length, all an append needs to be read back), not in the page cache. The file is opened for every entry, so an
    // entry never goes to a file that was moved or deleted meanwhile.
    const write = (line: string) =>
      Effect.tryPromise(async () => {
        const handle = await open()
        try {
          await handle.appendFile(line)
          await handle.datasync()
        } finally {
          await handle.close()
        }
      })
    const unavailable = (cause: unknown) => {
      const code = codeOf(cause)
      return new JournalUnavailable({
        message: `The journal ${file} cannot be written${code !== undefined ? ` (${code})` : ""}. Every change is recorded before it is sent, so no change can be made until it can be written; reads keep working. Ask the operator to make CCAPI_JOURNAL a writable path, or to set CCAPI_JOURNAL=off.`
      })
    }
    const pendingIntents = Effect.tryPromise(() => fs.readFile(file, "utf8")).pipe(
      Effect.map((text) => pendingIntentsOf(parseLines(text))),
      Effect.catchTag("UnknownError", (error) =>
        codeOf(error.cause) === "ENOENT" ? Effect.succeed([]) : Effect.fail(unavailable(error.cause))
      ),
      oneWriter.withPermits(1)
    )
    return Journal.of({
      pendingIntents,
      append: (entry) =>
        Effect.gen(function* () {
          const line = `${JSON.stringify(redact(encode(entry)))}\n`
          yield* write(line)
          if (!(yield* Ref.getAndSet(prepared, true))) {
            yield* Effect.tryPromise(() => fs.chmod(file, 0o600)).pipe(Effect.ignore)
          }
        }).pipe(
          oneWriter.withPermits(1),
          Effect.catchTag("UnknownError", (error) =>
            Effect.andThen(
              Effect.flatMap(Ref.getAndSet(warned, true), (already) =>
                already
                  ? Effect.void
                  : Effect.logWarning(
                      `The journal ${file} cannot be written (${String(error.cause)}); mutations are refused until it can be. Set CCAPI_JOURNAL to a writable path, or CCAPI_JOURNAL=off.`
                    )
              ),
              Effect.fail(unavailable(error.cause))
            )
          )
        )
    })
  })

/** A journal file at `file`. */
export const layer = (file: string) => Layer.effect(Journal, make(file))

/** A journal that records nothing (`CCAPI_JOURNAL=off`). */
export const layerOff = Layer.succeed(
  Journal,
  Journal.of({ append: () => Effect.void, pendingIntents: Effect.succeed([]) })
)

import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Layer, Ref, Schema } from "effect"
import { Journal, JournalEntry } from "@ccapi/core"

/** Keys whose values are never written, whatever a caller puts in `details`: workflow tokens and credentials. */
const secretKey =
  /^(environment|credentials|generated_?code|explained|security_?scan)_?token$|secret|password|session_?token|access_?key|authorization/i

const redact = (value: unknown): unknown => {
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

/**
 * The Journal port as a JSON Lines file: one entry per line, appended, the file created with mode 0600 in a 0700
 * directory. A write that fails is logged as a warning once and never fails the workflow.
 */
export const make = (file: string) =>
  Effect.gen(function* () {
    const warned = yield* Ref.make(false)
    const prepared = yield* Ref.make(false)
    const write = (line: string) =>
      Effect.tryPromise(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
        await fs.appendFile(file, line, { mode: 0o600 })
      })
    return Journal.of({
      append: (entry) =>
        Effect.gen(function* () {
          const line = `${JSON.stringify(redact(encode(entry)))}\n`
          yield* write(line)
          if (!(yield* Ref.getAndSet(prepared, true))) {
            yield* Effect.tryPromise(() => fs.chmod(file, 0o600)).pipe(Effect.ignore)
          }
        }).pipe(
          Effect.catchTag("UnknownError", (error) =>
            Effect.flatMap(Ref.getAndSet(warned, true), (already) =>
              already
                ? Effect.void
                : Effect.logWarning(
                    `The journal ${file} cannot be written (${String(error.cause)}); mutations go on without it. Set CCAPI_JOURNAL to a writable path, or CCAPI_JOURNAL=off.`
                  )
            )
          )
        )
    })
  })

/** A journal file at `file`. */
export const layer = (file: string) => Layer.effect(Journal, make(file))

/** A journal that records nothing (`CCAPI_JOURNAL=off`). */
export const layerOff = Layer.succeed(Journal, Journal.of({ append: () => Effect.void }))

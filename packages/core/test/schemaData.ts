import { Result } from "effect"
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { parseResourceSchema, type ResourceSchema } from "../src/index.js"

const all = JSON.parse(
  gunzipSync(readFileSync(new URL("../../memory-cloud/data/us-east-1.json.gz", import.meta.url))).toString("utf8")
) as Record<string, unknown>

const cache = new Map<string, ResourceSchema>()

/** A real provider schema from the bundled us-east-1 data, parsed. */
export const schemaOf = (name: string): ResourceSchema => {
  let schema = cache.get(name)
  if (schema === undefined) {
    schema = Result.getOrThrow(parseResourceSchema(all[name]))
    cache.set(name, schema)
  }
  return schema
}

/** A schema made for a test from a small provider document. */
export const syntheticSchema = (doc: Record<string, unknown>): ResourceSchema =>
  Result.getOrThrow(parseResourceSchema({ typeName: "Test::Demo::Thing", additionalProperties: false, ...doc }))

/** Deep-freeze a value so that any mutation by the code under test throws. */
export const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { readIfExists, removeLeftovers, writeAtomically } from "../src/internal/StateFile.js"

describe("StateFile", () => {
  it("replaces the file whole and leaves no temporary file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccapi-state-"))
    const path = join(dir, "state.json")
    await writeAtomically(path, JSON.stringify({ n: 1 }))
    await writeAtomically(path, JSON.stringify({ n: 2 }))
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ n: 2 })
    expect(readdirSync(dir)).toEqual(["state.json"])
  })

  it("concurrent writers never leave a torn file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccapi-state-"))
    const path = join(dir, "state.json")
    const big = (n: number) => JSON.stringify({ n, filler: "x".repeat(200_000) })
    await Promise.all(Array.from({ length: 10 }, (_, n) => writeAtomically(path, big(n))))
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { n: number }
    expect(parsed.n).toBeGreaterThanOrEqual(0)
  })

  it("a crash mid-write (a partial temporary file) leaves the previous state readable, and the leftover is removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccapi-state-"))
    const path = join(dir, "state.json")
    await writeAtomically(path, JSON.stringify({ n: 1 }))
    writeFileSync(join(dir, ".state.json.999999.deadbeef.tmp"), '{"n": 2, "trunc')
    expect(JSON.parse((await readIfExists(path))!)).toEqual({ n: 1 })
    await removeLeftovers(path)
    expect(readdirSync(dir)).toEqual(["state.json"])
  })

  it("reads a missing file as undefined", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccapi-state-"))
    expect(await readIfExists(join(dir, "absent.json"))).toBeUndefined()
  })
})

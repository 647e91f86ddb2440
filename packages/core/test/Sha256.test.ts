import { assert, describe, it } from "@effect/vitest"
import { Arbitrary } from "effect"
import { createHash } from "node:crypto"
import { sha256Hex } from "../src/internal/sha256.js"
import { intBetween, unicodeString } from "./arbitraries.js"

const nodeSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** Any UTF-16 code units, lone surrogates included. */
const codeUnits = Arbitrary.array(intBetween(0, 0xffff), { maxLength: 200 }).pipe(
  Arbitrary.map((units) => String.fromCharCode(...units))
)

describe("sha256Hex", () => {
  it("gives the published digests of the FIPS 180-2 examples", () => {
    assert.strictEqual(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert.strictEqual(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    assert.strictEqual(
      sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
  })

  it.prop("agrees with node:crypto on any Unicode text", [unicodeString({ maxLength: 300 })], ([text]) => {
    assert.strictEqual(sha256Hex(text), nodeSha256(text))
  })

  it.prop("agrees with node:crypto on lone surrogates and control characters", [codeUnits], ([text]) => {
    assert.strictEqual(sha256Hex(text), nodeSha256(text))
  })

  it("agrees with node:crypto around every block boundary", () => {
    for (let length = 0; length < 200; length++) {
      const text = "é".repeat(length % 7) + "x".repeat(length)
      assert.strictEqual(sha256Hex(text), nodeSha256(text), `length ${length}`)
    }
  })
})

import { Effect, Layer } from "effect"
import { TokenIds } from "../../src/ports/TokenIds.js"

/**
 * A seeded `TokenIds` for tests (mulberry32): the same seed gives the same sequence of ids, so a failing test
 * replays. Not cryptographic; the product's only implementation is mcp-server's CSPRNG.
 */
export const make = (seed = 1): TokenIds["Service"] => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  return TokenIds.of({
    randomBytes: (size) =>
      Effect.sync(() => {
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i++) bytes[i] = next() & 0xff
        return bytes
      })
  })
}

/** A fresh seeded generator per layer build. */
export const layerSeeded = (seed = 1): Layer.Layer<TokenIds> => Layer.sync(TokenIds, () => make(seed))

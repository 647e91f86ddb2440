import { Effect, Layer } from "effect"
import { TokenIds } from "../../src/ports/TokenIds.js"
import { seededRandom } from "./SeededRandom.js"

/**
 * A seeded `TokenIds` for tests: the same seed gives the same sequence of ids, so a failing test replays. Not
 * cryptographic; the product's only implementation is mcp-server's CSPRNG.
 */
export const make = (seed = 1): TokenIds["Service"] => {
  const random = seededRandom(seed)
  return TokenIds.of({
    randomBytes: (size) =>
      Effect.sync(() => {
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i++) bytes[i] = Math.floor(random.nextDoubleUnsafe() * 256)
        return bytes
      })
  })
}

/** A fresh seeded generator per layer build. */
export const layerSeeded = (seed = 1): Layer.Layer<TokenIds> => Layer.sync(TokenIds, () => make(seed))

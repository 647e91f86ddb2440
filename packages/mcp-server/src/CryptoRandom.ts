import * as crypto from "node:crypto"
import { Effect, Layer, Random } from "effect"
import { TokenIds } from "@ccapi/core"

/** 53 random bits from `bytes` (the first 7): an integer in [0, 2^53). */
const bits53 = (bytes: Buffer): number => (bytes.readUInt32BE(0) >>> 11) * 2 ** 32 + bytes.readUInt32BE(3)

/** A double in [0, 1), each of its 2^53 values equally likely. */
const nextDouble = (): number => bits53(crypto.randomBytes(7)) / 2 ** 53

/** A safe integer, from -(2^53 - 1) to 2^53 - 1, each equally likely (a magnitude and a sign; -0 is drawn again). */
const nextSafeInteger = (): number => {
  for (;;) {
    const bytes = crypto.randomBytes(8)
    const magnitude = bits53(bytes)
    const negative = (bytes.readUInt8(7) & 1) === 1
    if (!negative) return magnitude
    if (magnitude !== 0) return -magnitude
  }
}

/**
 * Effect's `Random` backed by the operating system's CSPRNG (node:crypto), so that nothing drawn from `Random` can be
 * predicted from earlier draws. Effect's default generator (`Math.random`) is not cryptographic. Effect derives every
 * `Random` operation (`next`, `nextIntBetween`, `shuffle`, …) from these two. Workflow token ids do not depend on it:
 * they come from `tokenIds` below.
 */
export const cryptoRandom: Random.Random = {
  nextIntUnsafe: nextSafeInteger,
  nextDoubleUnsafe: nextDouble
}

/** Core's `TokenIds` from the operating system's CSPRNG: the only real implementation, so workflow tokens are unguessable. */
export const tokenIds: TokenIds["Service"] = TokenIds.of({
  randomBytes: (size) => Effect.sync(() => new Uint8Array(crypto.randomBytes(size)))
})

/** Core's `TokenIds` alone. */
export const layerTokenIds = Layer.succeed(TokenIds, tokenIds)

/** Installs the CSPRNG as Effect's `Random` and as core's `TokenIds` for every effect run on a runtime built with it. */
export const layer = Layer.merge(Layer.succeed(Random.Random, cryptoRandom), layerTokenIds)

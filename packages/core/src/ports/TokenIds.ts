import { Context, type Effect } from "effect"

/**
 * Where the unpredictable part of workflow token ids comes from. Its only real implementation is the operating
 * system's CSPRNG (mcp-server's `CryptoRandom`); the use-cases require it, so no composition can mint tokens from a
 * predictable generator by forgetting to provide one.
 */
export class TokenIds extends Context.Service<
  TokenIds,
  {
    /** `size` bytes that cannot be predicted from any earlier ones. */
    readonly randomBytes: (size: number) => Effect.Effect<Uint8Array>
  }
>()("@ccapi/core/ports/TokenIds") {}

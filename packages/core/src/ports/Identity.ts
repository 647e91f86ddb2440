import { Context, type Effect } from "effect"
import type { CloudError } from "../model/Errors.js"
import type { Region } from "../model/Ids.js"
import type { CallerIdentity, EnvironmentInfo } from "../model/Cloud.js"

/** Who the server acts as, and in which environment: account, ARN, credential source, profile, region. */
export class Identity extends Context.Service<
  Identity,
  {
    /** What the environment says before any call: profile, region and where it came from, variables set. */
    readonly environment: Effect.Effect<EnvironmentInfo>
    /** The caller's identity (STS `GetCallerIdentity`) in a region (the default region when omitted). */
    readonly whoAmI: (region?: Region) => Effect.Effect<CallerIdentity, CloudError>
  }
>()("@ccapi/core/ports/Identity") {}

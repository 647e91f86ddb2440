import { Effect } from "effect"
import { Identity } from "../ports/Identity.js"
import { issueToken, readToken } from "../workflow/WorkflowTokens.js"
import type { SessionInfoCommand } from "./Commands.js"
import type { EnvironmentCheck, SessionInfo } from "./Results.js"
import { WorkflowSettings } from "../workflow/Settings.js"

/** Step 1 of the workflow: what AWS environment the server sees; mints the environment token. */
export const checkEnvironment = Effect.fn("Workflow.checkEnvironment")(function* () {
  const settings = yield* WorkflowSettings
  const environment = yield* (yield* Identity).environment
  const environmentToken = yield* issueToken(
    "environment",
    { chainId: "session", region: environment.region },
    settings.tokenTtl.environment
  )
  return {
    environmentToken,
    environment,
    readOnly: settings.readOnly,
    securityScanning: settings.securityScanning
  } satisfies EnvironmentCheck
})

/** Step 2: who the server acts as (account, ARN, credential source, region); mints the credentials token. */
export const sessionInfo = Effect.fn("Workflow.sessionInfo")(function* (command: SessionInfoCommand) {
  const settings = yield* WorkflowSettings
  const environment = yield* readToken(command.environmentToken, "environment")
  const identity = yield* (yield* Identity).whoAmI()
  const credentialsToken = yield* issueToken(
    "credentials",
    { chainId: "session", parent: environment.id, accountId: identity.accountId, region: identity.region },
    settings.tokenTtl.credentials
  )
  return {
    credentialsToken,
    identity,
    readOnly: settings.readOnly,
    securityScanning: settings.securityScanning
  } satisfies SessionInfo
})

/** The caller's account and identity, without minting a token (a read). */
export const accountInfo = Effect.fn("Workflow.accountInfo")(function* () {
  return yield* (yield* Identity).whoAmI()
})

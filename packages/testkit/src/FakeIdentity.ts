import {
  CallerIdentity,
  type CredentialSource,
  CredentialsExpired,
  CredentialsMissing,
  EnvironmentInfo,
  Identity
} from "@ccapi/core"
import { Effect, Layer } from "effect"

export interface FakeIdentityOptions {
  readonly accountId?: string
  readonly arn?: string
  readonly userId?: string
  readonly credentialSource?: CredentialSource
  readonly profile?: string
  readonly region?: string
  readonly regionSource?: EnvironmentInfo["regionSource"]
  readonly endpoint?: string
  /** Names of the AWS variables the environment reports as set. */
  readonly variablesSet?: ReadonlyArray<string>
  /** Make `whoAmI` fail the way a real credential problem does. */
  readonly fail?: "CredentialsExpired" | "CredentialsMissing"
}

/** An `Identity` that answers from its options, never from the machine's environment. */
export const make = (options: FakeIdentityOptions = {}): Identity["Service"] => {
  const accountId = options.accountId ?? "123456789012"
  const region = options.region ?? "us-east-1"
  const profile = options.profile
  return {
    environment: Effect.succeed(
      new EnvironmentInfo({
        region,
        regionSource: options.regionSource ?? "environment",
        variablesSet: options.variablesSet ?? ["AWS_REGION"],
        ...(profile !== undefined ? { profile } : {}),
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {})
      })
    ),
    whoAmI: (asked) => {
      if (options.fail === "CredentialsExpired")
        return Effect.fail(
          new CredentialsExpired({
            ...(profile !== undefined ? { profile } : {}),
            message: `The credentials have expired. Refresh them (aws sso login${profile !== undefined ? ` --profile ${profile}` : ""}) and try again.`
          })
        )
      if (options.fail === "CredentialsMissing")
        return Effect.fail(
          new CredentialsMissing({
            message:
              "No AWS credentials were found. Set AWS_PROFILE to a configured profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then restart."
          })
        )
      return Effect.succeed(
        new CallerIdentity({
          accountId,
          arn: options.arn ?? `arn:aws:iam::${accountId}:user/ccapi-test`,
          userId: options.userId ?? "AIDATESTUSER00000000",
          credentialSource: options.credentialSource ?? "environment",
          region: asked ?? region,
          ...(profile !== undefined ? { profile } : {}),
          ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {})
        })
      )
    }
  }
}

/** `Identity` for tests: account 123456789012 unless told otherwise; can fail like expired or missing credentials. */
export const layerTest = (options: FakeIdentityOptions = {}): Layer.Layer<Identity> =>
  Layer.succeed(Identity, make(options))

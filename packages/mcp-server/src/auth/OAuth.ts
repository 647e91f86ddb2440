import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose"
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from "@modelcontextprotocol/server"

/** Reading tools (everything that changes nothing) need this scope. */
export const readScope = "ccapi:read"
/** Creating, updating and deleting need this one as well: without it the mutating tools are neither listed nor callable. */
export const writeScope = "ccapi:write"

/** The operator's OAuth 2.1 resource-server settings: whose tokens are accepted, for what audience, signed how. */
export interface OAuthSettings {
  /** The authorization server's issuer identifier (`iss`), e.g. https://auth.example.com/realms/ccapi. */
  readonly issuer: string
  /** This server's identifier as tokens name it (`aud`); also the resource in the protected-resource metadata. */
  readonly audience: string
  /** Where the issuer publishes its signing keys (JWKS). */
  readonly jwksUrl: string
  /** The signature algorithms accepted; nothing else (never `none`, never HMAC with a public key). */
  readonly algorithms: ReadonlyArray<string>
}

/** Asymmetric algorithms only: an HMAC secret shared with every resource server is not a key a fleet should trust. */
export const allowedAlgorithms = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA"
]

const scopesOf = (payload: JWTPayload): Array<string> => {
  const scope = payload["scope"]
  if (typeof scope === "string") return scope.split(" ").filter((s) => s !== "")
  const scp = payload["scp"]
  return Array.isArray(scp) ? scp.filter((s): s is string => typeof s === "string") : []
}

const invalidToken = (message: string) => new OAuthError(OAuthErrorCode.InvalidToken, message)

/** Why a token was refused, in words for the client's log (never the token). */
const reason = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return "the token has expired"
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`
  if (error instanceof errors.JOSEAlgNotAllowed)
    return "the token is signed with an algorithm this server does not accept"
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify"
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer matches the token"
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.code})`
  return "the token could not be verified"
}

/**
 * Verifies bearer JWTs against the issuer's JWKS: signature with an allowed algorithm, `iss`, `aud`, `exp` (required)
 * and `sub` (required: workflow tokens are bound to it). The subject travels in `AuthInfo.extra.subject`.
 */
export const makeJwtVerifier = (settings: OAuthSettings): OAuthTokenVerifier => {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 })
  return {
    verifyAccessToken: async (token): Promise<AuthInfo> => {
      const verified = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [...settings.algorithms],
        requiredClaims: ["exp", "sub"]
      }).catch((error: unknown) => {
        throw invalidToken(reason(error))
      })
      const payload = verified.payload
      const subject = payload.sub!
      const clientId = [payload["client_id"], payload["azp"]].find((v): v is string => typeof v === "string") ?? subject
      return {
        token,
        clientId,
        scopes: scopesOf(payload),
        expiresAt: payload.exp!,
        extra: { subject }
      }
    }
  }
}

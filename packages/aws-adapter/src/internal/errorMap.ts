import type { TemplateGenerationFailed } from "@ccapi/core"
import {
  AccessDenied,
  ClientTokenConflict,
  type CloudError,
  CloudUnavailable,
  ConcurrentOperation,
  CredentialsExpired,
  CredentialsMissing,
  InvalidRequest,
  NotUpdatable,
  RequestNotFound,
  ResourceAlreadyExists,
  ResourceNotFound,
  Throttled,
  TypeNotFound,
  UnsupportedAction
} from "@ccapi/core"
import type { AwsService } from "../AwsConfig.js"
import type { AwsCredentialsError, AwsNetworkError, AwsServiceError, AwsUnexpectedError } from "./failures.js"

/** What the adapter was doing when a call failed: enough to write a message a model can act on. */
export interface CallContext {
  readonly service: AwsService
  /** The API operation, e.g. `CreateResource`. */
  readonly operation: string
  readonly region: string
  readonly endpoint?: string | undefined
  readonly profile?: string | undefined
  readonly typeName?: string | undefined
  readonly identifier?: string | undefined
  readonly requestToken?: string | undefined
  readonly templateId?: string | undefined
  readonly templateName?: string | undefined
}

/** Every domain error an AWS call can end in. */
export type DomainError =
  | CloudError
  | ResourceNotFound
  | ResourceAlreadyExists
  | TypeNotFound
  | InvalidRequest
  | NotUpdatable
  | UnsupportedAction
  | ConcurrentOperation
  | ClientTokenConflict
  | RequestNotFound
  | TemplateGenerationFailed

export type DomainTag = DomainError["_tag"]

const cloudErrorTags: ReadonlySet<string> = new Set<CloudError["_tag"]>([
  "AccessDenied",
  "CredentialsMissing",
  "CredentialsExpired",
  "Throttled",
  "CloudUnavailable"
])

/** The domain errors an operation may fail with: the ones it names plus every `CloudError`. */
export type Narrowed<T extends DomainTag> = Extract<DomainError, { readonly _tag: T | CloudError["_tag"] }>

const where = (ctx: CallContext) => `${ctx.service} ${ctx.operation} in ${ctx.region}`
const quoted = (message: string) => (message.trim() === "" ? "" : ` AWS said: ${message.trim()}`)
const resourceLabel = (ctx: CallContext) =>
  ctx.identifier !== undefined ? `${ctx.typeName ?? "resource"} "${ctx.identifier}"` : (ctx.typeName ?? "the resource")
const iamPrefix = (service: AwsService) => (service === "STS" ? "sts" : "cloudformation")
const actionOf = (operation: string): string => {
  const verb = /^(Create|Update|Delete|Get|List)Resource/.exec(operation)?.[1]
  return verb === undefined ? operation : verb === "Get" ? "READ" : verb.toUpperCase()
}

/** The fix for credentials that are missing or rejected, naming the profile when there is one. */
export const credentialsFix = (profile: string | undefined, sso: boolean): string => {
  const name = profile ?? "default"
  if (sso) return `Run \`aws sso login --profile ${name}\`, then retry.`
  return profile !== undefined
    ? `Refresh the credentials of profile "${profile}": for an SSO profile run \`aws sso login --profile ${profile}\`; for access keys run \`aws configure --profile ${profile}\`. Then retry.`
    : "Configure credentials: run `aws configure` (or `aws configure sso`), or set AWS_PROFILE to a profile in ~/.aws/config (for an SSO profile run `aws sso login --profile <name>` first), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Then retry."
}

const expired = (ctx: CallContext, message: string) =>
  new CredentialsExpired({
    ...(ctx.profile !== undefined ? { profile: ctx.profile } : {}),
    message: `The AWS credentials have expired (${where(ctx)}).${quoted(message)} ${credentialsFix(ctx.profile, /\bsso\b/i.test(message))}`
  })

const rejected = (ctx: CallContext, code: string, message: string) =>
  new CredentialsMissing({
    message: `AWS rejected the credentials (${code}) on ${where(ctx)}: they are not valid for this account or partition.${quoted(message)} ${credentialsFix(ctx.profile, false)}`
  })

/** The IAM action named in an access-denied message (`… not authorized to perform: s3:CreateBucket …`). */
export const actionFromMessage = (message: string): string | undefined =>
  /(?:perform|to call|to perform)\s*:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1]

const accessDenied = (ctx: CallContext, message: string) => {
  const action = actionFromMessage(message) ?? `${iamPrefix(ctx.service)}:${ctx.operation}`
  return new AccessDenied({
    action,
    message: `Access denied: the caller is not allowed ${action} (${where(ctx)}).${quoted(message)} Ask an administrator to grant ${action} to this identity, or use a profile that has it; retrying will not help.`
  })
}

const throttled = (ctx: CallContext, message: string) =>
  new Throttled({
    message: `AWS throttled ${where(ctx)} even after the SDK's retries.${quoted(message)} Wait a few seconds and retry, and make fewer calls at once.`
  })

const unavailable = (ctx: CallContext, what: string, message: string) =>
  new CloudUnavailable({
    service: ctx.service,
    message: `${what} (${where(ctx)}).${quoted(message)} This is on AWS's side; retry in a moment.`
  })

const invalid = (ctx: CallContext, code: string, message: string, advice = "Fix the request and retry.") =>
  new InvalidRequest({
    code,
    message: `AWS rejected ${where(ctx)} as invalid (${code}).${quoted(message)} ${advice}`
  })

const typeNotFound = (ctx: CallContext, message: string, extra = "") =>
  new TypeNotFound({
    typeName: ctx.typeName ?? "unknown",
    message: `The resource type ${ctx.typeName ?? ""} does not exist in ${ctx.region}${extra}.${quoted(message)} Check the spelling (Namespace::Service::Resource, e.g. AWS::S3::Bucket) and that the type is available in this region.`
  })

const notFound = (ctx: CallContext, message: string) =>
  ctx.templateId !== undefined
    ? new ResourceNotFound({
        typeName: "AWS::CloudFormation::GeneratedTemplate",
        identifier: ctx.templateId,
        message: `No generated template "${ctx.templateId}" exists in ${ctx.region}.${quoted(message)} Start a new one with create_template, or check the template id and region.`
      })
    : new ResourceNotFound({
        typeName: ctx.typeName ?? "unknown",
        identifier: ctx.identifier ?? "",
        message: `${resourceLabel(ctx)} was not found in ${ctx.region}.${quoted(message)} Check the identifier and region; list_resources shows what exists.`
      })

const alreadyExists = (ctx: CallContext, message: string) =>
  ctx.service === "CloudFormation"
    ? invalid(
        ctx,
        "AlreadyExistsException",
        message,
        `A generated template named "${ctx.templateName ?? ""}" already exists: choose another template_name, or pass its template_id to continue it.`
      )
    : new ResourceAlreadyExists({
        typeName: ctx.typeName ?? "unknown",
        ...(ctx.identifier !== undefined ? { identifier: ctx.identifier } : {}),
        message: `${resourceLabel(ctx)} already exists in ${ctx.region}.${quoted(message)} Update the existing resource instead, or choose a different name.`
      })

/** Top-level property names in `/properties/Name` pointers of a message (NotUpdatable names the createOnly ones). */
export const propertiesFromMessage = (message: string): ReadonlyArray<string> => [
  ...new Set([...message.matchAll(/\/properties\/([A-Za-z0-9_]+)/g)].map((m) => m[1]!))
]

const notUpdatable = (ctx: CallContext, message: string) => {
  const properties = propertiesFromMessage(message)
  const named = properties.length > 0 ? `: ${properties.join(", ")} cannot be changed after creation` : ""
  return new NotUpdatable({
    properties,
    message: `${resourceLabel(ctx)} cannot be updated this way${named}.${quoted(message)} Leave create-only properties out of the patch, or replace the resource (delete and create) if the change is required.`
  })
}

const concurrent = (ctx: CallContext, message: string) =>
  new ConcurrentOperation({
    message: `Another operation is in progress on ${resourceLabel(ctx)} (${where(ctx)}).${quoted(message)} Wait for it to finish (get_resource_request_status), then retry.`
  })

const generatorBusy = (ctx: CallContext, message: string) =>
  new Throttled({
    message: `Too many resources are being processed by the IaC Generator at once (${where(ctx)}).${quoted(message)} Wait for other template generations to finish, then retry.`
  })

const serviceUnavailable = (ctx: CallContext, message: string) =>
  unavailable(ctx, `${ctx.service} is unavailable`, message)

const serviceFailed = (ctx: CallContext, message: string) =>
  unavailable(ctx, `${ctx.service} had an internal error`, message)

type ErrorMapper = (ctx: CallContext, message: string) => DomainError

/** Table entries for codes that map alike: each code's entry passes the code itself to `map` (messages name it). */
const reportedAs = (
  codes: ReadonlyArray<string>,
  map: (ctx: CallContext, code: string, message: string) => DomainError
): Record<string, ErrorMapper> =>
  Object.fromEntries(codes.map((code) => [code, (ctx: CallContext, message: string) => map(ctx, code, message)]))

/** How each AWS error code becomes a domain error. Codes are the wire codes and the SDK's class names. */
export const errorTable: Readonly<Record<string, ErrorMapper>> = {
  // Cloud Control API (botocore cloudcontrol-2021-09-30)
  AlreadyExistsException: alreadyExists,
  ClientTokenConflictException: (ctx, message) =>
    new ClientTokenConflict({
      message: `The client token of ${where(ctx)} was already used for a different request.${quoted(message)} This plan was already submitted with other content: build a new plan (generate_infrastructure_code) and retry.`
    }),
  ConcurrentModificationException: concurrent,
  ConcurrentOperationException: concurrent,
  GeneralServiceException: (ctx, message) =>
    invalid(
      ctx,
      "GeneralServiceException",
      message,
      "The underlying AWS service refused it: read its message, fix the properties and retry."
    ),
  HandlerFailureException: (ctx, message) => unavailable(ctx, "The resource handler failed", message),
  HandlerInternalFailureException: (ctx, message) =>
    unavailable(ctx, "The resource handler failed internally", message),
  InvalidCredentialsException: (ctx, message) =>
    new AccessDenied({
      action: `${iamPrefix(ctx.service)}:${ctx.operation}`,
      message: `The resource handler reported that the credentials are not valid for ${resourceLabel(ctx)} (${where(ctx)}).${quoted(message)} Check the identity's permissions for this resource type, or use another profile.`
    }),
  InvalidRequestException: (ctx, message) => invalid(ctx, "InvalidRequestException", message),
  NetworkFailureException: (ctx, message) =>
    unavailable(ctx, "The resource handler had a network failure reaching the underlying service", message),
  NotStabilizedException: (ctx, message) =>
    unavailable(ctx, `${resourceLabel(ctx)} did not stabilize (its ready-state checks failed)`, message),
  NotUpdatableException: notUpdatable,
  PrivateTypeException: (ctx, message) =>
    typeNotFound(ctx, message, " as a type Cloud Control can use (it is private or its handler is misconfigured)"),
  RequestTokenNotFoundException: (ctx, message) =>
    new RequestNotFound({
      requestToken: ctx.requestToken ?? "",
      message: `No Cloud Control request with this request token exists in ${ctx.region}.${quoted(message)} Check the token and the region it was made in; requests are kept for 7 days.`
    }),
  ResourceConflictException: concurrent,
  ResourceNotFoundException: notFound,
  ServiceInternalErrorException: (ctx, message) => unavailable(ctx, "Cloud Control had an internal error", message),
  ServiceLimitExceededException: (ctx, message) =>
    invalid(
      ctx,
      "ServiceLimitExceededException",
      message,
      "A service quota was reached: delete unused resources or request a quota increase, then retry."
    ),
  ThrottlingException: throttled,
  TypeNotFoundException: (ctx, message) => typeNotFound(ctx, message),
  UnsupportedActionException: (ctx, message) =>
    new UnsupportedAction({
      typeName: ctx.typeName ?? "unknown",
      action: actionOf(ctx.operation),
      message: `${ctx.typeName ?? "This type"} does not support ${actionOf(ctx.operation)} through Cloud Control.${quoted(message)} Use the service's own API or CloudFormation for this type.`
    }),

  // CloudFormation (registry and IaC Generator)
  GeneratedTemplateNotFound: notFound,
  GeneratedTemplateNotFoundException: notFound,
  LimitExceededException: (ctx, message) =>
    invalid(
      ctx,
      "LimitExceededException",
      message,
      "The account's limit of generated templates was reached: delete generated templates you no longer need, then retry."
    ),
  ConcurrentResourcesLimitExceeded: generatorBusy,
  ConcurrentResourcesLimitExceededException: generatorBusy,
  ...reportedAs(
    [
      "CFNRegistryException",
      "ValidationError",
      "InvalidParameterValue",
      "InvalidParameterCombination",
      "MissingParameter"
    ],
    invalid
  ),

  // STS and every service's authentication errors
  ExpiredTokenException: expired,
  ExpiredToken: expired,
  RequestExpired: (ctx, message) =>
    expired(ctx, `${message} (if the credentials are fresh, check that this machine's clock is correct)`),
  ...reportedAs(
    [
      "InvalidClientTokenId",
      "UnrecognizedClientException",
      "SignatureDoesNotMatch",
      "IncompleteSignature",
      "MissingAuthenticationToken"
    ],
    rejected
  ),
  AccessDenied: accessDenied,
  AccessDeniedException: accessDenied,
  UnauthorizedOperation: accessDenied,
  OptInRequired: (ctx, message) =>
    new AccessDenied({
      action: `${iamPrefix(ctx.service)}:${ctx.operation}`,
      message: `The account is not subscribed to ${ctx.service} in ${ctx.region}.${quoted(message)} Opt in to the service or region in the AWS console, or use another region.`
    }),
  RegionDisabledException: (ctx, message) =>
    new AccessDenied({
      action: "sts:GetCallerIdentity",
      message: `STS is not activated in ${ctx.region} for this account.${quoted(message)} Activate the region in IAM (Account settings), or use another region.`
    }),

  // Generic throttling and service faults
  Throttling: throttled,
  TooManyRequestsException: throttled,
  RequestLimitExceeded: throttled,
  SlowDown: throttled,
  ServiceUnavailable: serviceUnavailable,
  ServiceUnavailableException: serviceUnavailable,
  InternalFailure: serviceFailed,
  InternalError: serviceFailed,
  InternalServerError: serviceFailed
}

/** A service error with an unlisted code, classified by its HTTP status and fault. */
const byStatus = (e: AwsServiceError, ctx: CallContext): DomainError => {
  if (e.status === 429) return throttled(ctx, e.message)
  if (e.status === 401) return rejected(ctx, e.code, e.message)
  if (e.status === 403) return accessDenied(ctx, e.message)
  if (e.status === 404) return notFound(ctx, e.message)
  if (e.fault === "server" || (e.status !== undefined && e.status >= 500))
    return unavailable(ctx, `${ctx.service} failed with ${e.code}`, e.message)
  return invalid(ctx, e.code, e.message)
}

/** A service error → its domain error. */
export const fromServiceError = (e: AwsServiceError, ctx: CallContext): DomainError =>
  (Object.hasOwn(errorTable, e.code) ? errorTable[e.code]! : undefined)?.(ctx, e.message) ?? byStatus(e, ctx)

/** The endpoint in words, for messages. */
const endpointLabel = (ctx: CallContext) => ctx.endpoint ?? `the ${ctx.service} endpoint for ${ctx.region}`

/** A connection that failed or timed out → `CloudUnavailable` naming the endpoint. */
export const fromNetworkError = (e: AwsNetworkError, ctx: CallContext): DomainError =>
  new CloudUnavailable({
    service: ctx.service,
    message: `Could not reach ${endpointLabel(ctx)} for ${ctx.operation} (${e.code}: ${e.message}). Check the network connection, proxy and region${ctx.endpoint !== undefined ? `, and that ${ctx.endpoint} is running` : ""}, then retry.`
  })

/** The SDK could not obtain credentials → `CredentialsExpired` when it said so, `CredentialsMissing` otherwise. */
export const fromCredentialsError = (e: AwsCredentialsError, ctx: CallContext): DomainError => {
  const sso = /\bsso\b/i.test(e.message)
  if (/expired|refresh|invalid_grant|token is invalid/i.test(e.message)) return expired(ctx, e.message)
  return new CredentialsMissing({
    message: `No usable AWS credentials${ctx.profile !== undefined ? ` for profile "${ctx.profile}"` : ""}.${quoted(e.message).replace("AWS said", "The SDK said")} ${credentialsFix(ctx.profile, sso)}`
  })
}

/** Anything else the SDK threw (a malformed response, an invalid endpoint URL). */
export const fromUnexpected = (e: AwsUnexpectedError, ctx: CallContext): DomainError =>
  new CloudUnavailable({
    service: ctx.service,
    message: `${where(ctx)} failed unexpectedly at ${endpointLabel(ctx)}: ${e.message}. Retry; if it persists, check the endpoint and region settings.`
  })

/** Keep errors the operation declares; turn the rest into `InvalidRequest` (when declared) or `CloudUnavailable`. */
export const narrow = <T extends DomainTag>(
  allowed: ReadonlyArray<T>,
  error: DomainError,
  code: string,
  ctx: CallContext
): Narrowed<T> => {
  const tags: ReadonlyArray<string> = allowed
  if (cloudErrorTags.has(error._tag) || tags.includes(error._tag)) return error as Narrowed<T>
  if (tags.includes("InvalidRequest")) return new InvalidRequest({ code, message: error.message }) as Narrowed<T>
  return new CloudUnavailable({ service: ctx.service, message: error.message }) as Narrowed<T>
}

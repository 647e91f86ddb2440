import { ClientToken, CloudControl, identifier, region, RequestToken, TemplateGenerator, typeName } from "@ccapi/core"
import * as Cc from "@aws-sdk/client-cloudcontrol"
import * as Cfn from "@aws-sdk/client-cloudformation"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  actionFromMessage,
  type CallContext,
  errorTable,
  fromServiceError,
  propertiesFromMessage
} from "../src/internal/errorMap.js"
import { AwsServiceError } from "../src/internal/failures.js"
import { classify } from "../src/internal/tryAws.js"
import { Mocks, serviceError, testLayer } from "./support.js"

const cloudControl: CallContext = {
  service: "CloudControl",
  operation: "UpdateResource",
  region: "us-east-1",
  typeName: "AWS::S3::Bucket",
  identifier: "my-bucket",
  requestToken: "req-1",
  profile: "dev"
}
const cloudFormation: CallContext = {
  service: "CloudFormation",
  operation: "DescribeGeneratedTemplate",
  region: "us-east-1",
  templateId: "arn:aws:cloudformation:us-east-1:123456789012:generatedtemplate/abc",
  templateName: "my-template"
}
const sts: CallContext = { service: "STS", operation: "GetCallerIdentity", region: "us-east-1", profile: "dev" }

/** Every code of the table, with the context it arrives in and the domain error it must become. */
const cases: ReadonlyArray<readonly [code: string, ctx: CallContext, tag: string]> = [
  // Cloud Control API
  ["AlreadyExistsException", cloudControl, "ResourceAlreadyExists"],
  ["ClientTokenConflictException", cloudControl, "ClientTokenConflict"],
  ["ConcurrentModificationException", cloudControl, "ConcurrentOperation"],
  ["ConcurrentOperationException", cloudControl, "ConcurrentOperation"],
  ["GeneralServiceException", cloudControl, "InvalidRequest"],
  ["HandlerFailureException", cloudControl, "CloudUnavailable"],
  ["HandlerInternalFailureException", cloudControl, "CloudUnavailable"],
  ["InvalidCredentialsException", cloudControl, "AccessDenied"],
  ["InvalidRequestException", cloudControl, "InvalidRequest"],
  ["NetworkFailureException", cloudControl, "CloudUnavailable"],
  ["NotStabilizedException", cloudControl, "CloudUnavailable"],
  ["NotUpdatableException", cloudControl, "NotUpdatable"],
  ["PrivateTypeException", cloudControl, "TypeNotFound"],
  ["RequestTokenNotFoundException", cloudControl, "RequestNotFound"],
  ["ResourceConflictException", cloudControl, "ConcurrentOperation"],
  ["ResourceNotFoundException", cloudControl, "ResourceNotFound"],
  ["ServiceInternalErrorException", cloudControl, "CloudUnavailable"],
  ["ServiceLimitExceededException", cloudControl, "InvalidRequest"],
  ["ThrottlingException", cloudControl, "Throttled"],
  ["TypeNotFoundException", cloudControl, "TypeNotFound"],
  ["UnsupportedActionException", cloudControl, "UnsupportedAction"],
  // CloudFormation registry and IaC Generator
  ["CFNRegistryException", cloudFormation, "InvalidRequest"],
  ["GeneratedTemplateNotFound", cloudFormation, "ResourceNotFound"],
  ["GeneratedTemplateNotFoundException", cloudFormation, "ResourceNotFound"],
  ["LimitExceededException", cloudFormation, "InvalidRequest"],
  ["ConcurrentResourcesLimitExceeded", cloudFormation, "Throttled"],
  ["ConcurrentResourcesLimitExceededException", cloudFormation, "Throttled"],
  ["ValidationError", cloudFormation, "InvalidRequest"],
  ["InvalidParameterValue", cloudFormation, "InvalidRequest"],
  ["InvalidParameterCombination", cloudFormation, "InvalidRequest"],
  ["MissingParameter", cloudFormation, "InvalidRequest"],
  // STS and authentication
  ["ExpiredTokenException", sts, "CredentialsExpired"],
  ["ExpiredToken", sts, "CredentialsExpired"],
  ["RequestExpired", sts, "CredentialsExpired"],
  ["InvalidClientTokenId", sts, "CredentialsMissing"],
  ["UnrecognizedClientException", cloudControl, "CredentialsMissing"],
  ["SignatureDoesNotMatch", sts, "CredentialsMissing"],
  ["IncompleteSignature", sts, "CredentialsMissing"],
  ["MissingAuthenticationToken", sts, "CredentialsMissing"],
  ["AccessDenied", sts, "AccessDenied"],
  ["AccessDeniedException", cloudControl, "AccessDenied"],
  ["UnauthorizedOperation", cloudControl, "AccessDenied"],
  ["OptInRequired", cloudControl, "AccessDenied"],
  ["RegionDisabledException", sts, "AccessDenied"],
  // generic
  ["Throttling", cloudFormation, "Throttled"],
  ["TooManyRequestsException", cloudControl, "Throttled"],
  ["RequestLimitExceeded", cloudControl, "Throttled"],
  ["SlowDown", cloudControl, "Throttled"],
  ["ServiceUnavailable", sts, "CloudUnavailable"],
  ["ServiceUnavailableException", cloudControl, "CloudUnavailable"],
  ["InternalFailure", cloudControl, "CloudUnavailable"],
  ["InternalError", sts, "CloudUnavailable"],
  ["InternalServerError", cloudControl, "CloudUnavailable"]
]

const error = (code: string, message = "AWS's own words", status?: number, fault?: "client" | "server") =>
  new AwsServiceError({ code, message, status, fault })

describe("error table", () => {
  it("has exactly one case per code it maps", () => {
    assert.deepStrictEqual(cases.map(([code]) => code).sort(), Object.keys(errorTable).sort())
  })

  it.each(cases)("%s → %s", (code, ctx, tag) => {
    const mapped = fromServiceError(error(code), ctx)
    assert.strictEqual(mapped._tag, tag)
    assert.include(mapped.message, "AWS's own words", "AWS's message is kept for the model")
  })

  it.each([
    [429, undefined, "Throttled"],
    [401, undefined, "CredentialsMissing"],
    [403, undefined, "AccessDenied"],
    [404, undefined, "ResourceNotFound"],
    [503, "server", "CloudUnavailable"],
    [400, "client", "InvalidRequest"]
  ] as const)("an unlisted code with status %s is classified by status → %s", (status, fault, tag) => {
    assert.strictEqual(fromServiceError(error("SomethingNew", "x", status, fault), cloudControl)._tag, tag)
  })

  it("access denied names the IAM action from AWS's message, or the operation when the message does not", () => {
    const message =
      "User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: s3:CreateBucket on resource: arn:aws:s3:::b"
    const named = fromServiceError(error("AccessDeniedException", message), cloudControl)
    assert.strictEqual(named._tag, "AccessDenied")
    assert.strictEqual(named._tag === "AccessDenied" ? named.action : "", "s3:CreateBucket")
    assert.include(named.message, "s3:CreateBucket")
    const unnamed = fromServiceError(error("AccessDenied", "Access denied"), sts)
    assert.strictEqual(unnamed._tag === "AccessDenied" ? unnamed.action : "", "sts:GetCallerIdentity")
    assert.strictEqual(
      actionFromMessage("You are not authorized to perform: cloudformation:CreateResource"),
      "cloudformation:CreateResource"
    )
  })

  it("NotUpdatable names the create-only properties", () => {
    const message =
      "Invalid patch update: createOnlyProperties [/properties/BucketName, /properties/ObjectLockEnabled] cannot be updated"
    const mapped = fromServiceError(error("NotUpdatableException", message), cloudControl)
    assert.strictEqual(mapped._tag, "NotUpdatable")
    assert.deepStrictEqual(mapped._tag === "NotUpdatable" ? mapped.properties : [], ["BucketName", "ObjectLockEnabled"])
    assert.include(mapped.message, "BucketName, ObjectLockEnabled")
    assert.deepStrictEqual(propertiesFromMessage("nothing here"), [])
  })

  it("expired and rejected credentials say how to fix them, naming the profile", () => {
    const expired = fromServiceError(
      error("ExpiredTokenException", "The security token included in the request is expired"),
      sts
    )
    assert.strictEqual(expired._tag, "CredentialsExpired")
    assert.include(expired.message, "aws sso login --profile dev")
    const rejected = fromServiceError(error("InvalidClientTokenId", "The security token is invalid"), {
      ...sts,
      profile: undefined
    })
    assert.include(rejected.message, "aws configure")
    assert.include(rejected.message, "AWS_PROFILE")
  })

  it("classify sorts what the SDK throws", () => {
    assert.strictEqual(
      classify(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))._tag,
      "AwsNetworkError"
    )
    assert.strictEqual(classify(Object.assign(new Error("t"), { name: "TimeoutError" }))._tag, "AwsNetworkError")
    assert.strictEqual(
      classify(Object.assign(new Error("none"), { name: "CredentialsProviderError" }))._tag,
      "AwsCredentialsError"
    )
    assert.strictEqual(classify(new Cc.ThrottlingException({ message: "slow", $metadata: {} }))._tag, "AwsServiceError")
    assert.strictEqual(classify(new Error("Invalid URL"))._tag, "AwsUnexpectedError")
    assert.strictEqual(classify(new TypeError("x.then is not a function"))._tag, "AwsUnexpectedError")
    assert.strictEqual(classify({ name: "ThrottlingException", message: "bare" })._tag, "AwsServiceError")
    assert.strictEqual(classify("a string")._tag, "AwsUnexpectedError")
  })
})

const sdkExceptions = Object.entries(Cc as Record<string, unknown>).filter(
  (entry): entry is [string, new (o: { message: string; $metadata: object }) => Error] =>
    typeof entry[1] === "function" &&
    (entry[1] as { prototype: unknown }).prototype instanceof Cc.CloudControlServiceException
)

/** What `update` turns each Cloud Control exception into (codes it cannot fail with become InvalidRequest). */
const onUpdate: Record<string, string> = {
  AlreadyExistsException: "InvalidRequest",
  RequestTokenNotFoundException: "InvalidRequest"
}

describe("no SDK exception escapes the adapter", () => {
  it("the SDK exports the 21 Cloud Control exceptions of the botocore model", () => {
    assert.strictEqual(sdkExceptions.length, 21)
  })

  it.effect.each(sdkExceptions)("UpdateResource rejected with %s → a declared domain error", ([name, Exception]) =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Cc.UpdateResourceCommand).rejects(new Exception({ message: "from AWS", $metadata: {} }))
      const cloud = yield* CloudControl
      const failure = yield* Effect.flip(
        cloud.update({
          typeName: typeName("AWS::S3::Bucket"),
          identifier: identifier("my-bucket"),
          patch: [{ op: "remove", path: "/Tags" }],
          clientToken: ClientToken.make("t"),
          region: region("us-east-1")
        })
      )
      const expected = onUpdate[name] ?? cases.find(([code]) => code === name)![2]
      assert.strictEqual(failure._tag, expected)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("an error an operation cannot declare becomes CloudUnavailable, with AWS's message", () =>
    Effect.gen(function* () {
      const { cc } = yield* Mocks
      cc.on(Cc.GetResourceRequestStatusCommand).rejects(
        new Cc.InvalidRequestException({ message: "bad token", $metadata: {} })
      )
      const cloud = yield* CloudControl
      const failure = yield* Effect.flip(
        cloud.requestStatus({ requestToken: RequestToken.make("x"), region: region("us-east-1") })
      )
      assert.strictEqual(failure._tag, "CloudUnavailable")
      assert.include(failure.message, "bad token")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("CloudFormation's query-protocol errors reach the template generator as domain errors", () =>
    Effect.gen(function* () {
      const { cfn } = yield* Mocks
      cfn
        .on(Cfn.DescribeGeneratedTemplateCommand)
        .rejects(new Cfn.GeneratedTemplateNotFoundException({ message: "Generated template not found", $metadata: {} }))
      cfn.on(Cfn.CreateGeneratedTemplateCommand).rejects(serviceError("AlreadyExistsException", "exists"))
      const generator = yield* TemplateGenerator
      const missing = yield* Effect.flip(generator.status({ region: region("us-east-1"), templateId: "abc" }))
      assert.strictEqual(missing._tag, "ResourceNotFound")
      assert.include(missing.message, "abc")
      const taken = yield* Effect.flip(
        generator.start({
          region: region("us-east-1"),
          templateName: "taken",
          resources: [],
          deletionPolicy: "RETAIN",
          updateReplacePolicy: "RETAIN"
        })
      )
      assert.strictEqual(taken._tag, "InvalidRequest")
      assert.include(taken.message, "template_name")
    }).pipe(Effect.provide(testLayer()))
  )
})

import {
  CloudControl,
  TemplateGenerator,
  type JsonObject,
  type PatchDocument,
  type ProgressEvent,
  type Region,
  region as toRegion,
  type RequestToken,
  type ClientToken,
  identifier as toIdentifier,
  typeName as toTypeName
} from "@ccapi/core"
import * as Sdk from "@aws-sdk/client-cloudcontrol"
import * as Cfn from "@aws-sdk/client-cloudformation"
import * as Sts from "@aws-sdk/client-sts"
import { BundledSchemas, MemoryCloud, MemoryTemplateGenerator } from "@ccapi/testkit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Layer, Result } from "effect"
import { AwsAdapter } from "../src/index.js"
import { serviceError, testOptions } from "./support.js"

/** The account the mocked STS reports. */
export const accountId = "123456789012"

type DomainFailure = { readonly _tag: string; readonly message: string }

/** A domain error of the in-memory IaC Generator → the exception CloudFormation's SDK would throw for it. */
const toCfnException = (e: DomainFailure): Error => {
  switch (e._tag) {
    case "ResourceNotFound":
      return new Cfn.GeneratedTemplateNotFoundException({ message: e.message, $metadata: { httpStatusCode: 404 } })
    case "InvalidRequest":
      return serviceError("ValidationError", e.message)
    default:
      return serviceError("InternalFailure", e.message, 500, "server")
  }
}

/** Each domain error of the in-memory cloud → the exception class the real SDK throws for it. */
const sdkExceptions: Readonly<
  Record<string, new (options: { message: string; $metadata: { httpStatusCode: number } }) => Error>
> = {
  ResourceNotFound: Sdk.ResourceNotFoundException,
  ResourceAlreadyExists: Sdk.AlreadyExistsException,
  TypeNotFound: Sdk.TypeNotFoundException,
  NotUpdatable: Sdk.NotUpdatableException,
  UnsupportedAction: Sdk.UnsupportedActionException,
  ConcurrentOperation: Sdk.ConcurrentOperationException,
  ClientTokenConflict: Sdk.ClientTokenConflictException,
  RequestNotFound: Sdk.RequestTokenNotFoundException,
  Throttled: Sdk.ThrottlingException,
  InvalidRequest: Sdk.InvalidRequestException
}

/** A domain error of the in-memory cloud → the exception the real SDK would throw for it (an internal error when unlisted). */
const toSdkException = (e: DomainFailure): Error => {
  const Exception = Object.hasOwn(sdkExceptions, e._tag) ? sdkExceptions[e._tag]! : Sdk.ServiceInternalErrorException
  return new Exception({ message: e.message, $metadata: { httpStatusCode: 400 } })
}

/** A domain progress event → the SDK's shape (dates, JSON-string resource model). */
const toSdkEvent = (event: ProgressEvent): Sdk.ProgressEvent => ({
  TypeName: event.typeName,
  ...(event.identifier !== undefined ? { Identifier: event.identifier } : {}),
  RequestToken: event.requestToken,
  Operation: event.operation,
  OperationStatus: event.status,
  ...(event.eventTime !== undefined ? { EventTime: new Date(event.eventTime) } : {}),
  ...(event.resourceModel !== undefined ? { ResourceModel: JSON.stringify(event.resourceModel) } : {}),
  ...(event.statusMessage !== undefined ? { StatusMessage: event.statusMessage } : {}),
  ...(event.errorCode !== undefined ? { ErrorCode: event.errorCode as Sdk.HandlerErrorCode } : {}),
  ...(event.retryAfter !== undefined ? { RetryAfter: new Date(event.retryAfter) } : {})
})

/**
 * The real AWS adapters whose SDK clients are mocked (aws-sdk-client-mock) and answered by the testkit's in-memory
 * cloud, bundled schemas and in-memory IaC Generator: every SDK input is decoded as AWS would (JSON strings, the
 * client's region), and every outcome is encoded as the SDK returns it (dates, exceptions). The mocks are installed
 * when the layer is built and restored when it is released; the in-memory services run on the test's clock.
 */
export const layer = (
  options: MemoryCloud.MemoryCloudOptions & {
    readonly templateDelay?: MemoryTemplateGenerator.MemoryTemplateGeneratorOptions["completionDelay"]
  } = {}
): Layer.Layer<AwsAdapter.AwsPorts> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const memory = yield* CloudControl
      const generator = yield* TemplateGenerator
      const context = yield* Effect.context<never>()
      const mocks = yield* Effect.acquireRelease(
        Effect.sync(() => ({
          cc: mockClient(Sdk.CloudControlClient),
          cfn: mockClient(Cfn.CloudFormationClient),
          sts: mockClient(Sts.STSClient)
        })),
        (m) =>
          Effect.sync(() => {
            m.cc.restore()
            m.cfn.restore()
            m.sts.restore()
          })
      )
      const cc = mocks.cc
      const answerWith =
        (toException: (e: DomainFailure) => Error) =>
        <I, A>(handle: (input: I, region: Region) => Effect.Effect<A, DomainFailure>) =>
        async (input: I, getClient: () => { config: { region: () => Promise<string> } }) => {
          const region = toRegion(await getClient().config.region())
          const outcome = await Effect.runPromiseWith(context)(Effect.result(handle(input, region)))
          if (Result.isFailure(outcome)) throw toException(outcome.failure)
          return outcome.success
        }
      const answer = answerWith(toSdkException)
      const answerCfn = answerWith(toCfnException)
      const json = <A>(text: string | undefined): A => JSON.parse(text ?? "null") as A

      mocks.sts.on(Sts.GetCallerIdentityCommand).resolves({
        Account: accountId,
        Arn: `arn:aws:iam::${accountId}:user/contract`,
        UserId: "AIDACONTRACTEXAMPLE"
      })

      const schemas = BundledSchemas.loadProviderSchemas()
      mocks.cfn.on(Cfn.DescribeTypeCommand).callsFake(async (input: Cfn.DescribeTypeInput) => {
        const doc = Object.hasOwn(schemas, input.TypeName ?? "") ? schemas[input.TypeName!] : undefined
        if (input.Type !== "RESOURCE" || doc === undefined)
          throw new Cfn.TypeNotFoundException({
            message: `The type '${input.TypeName}' cannot be found.`,
            $metadata: { httpStatusCode: 404 }
          })
        return { TypeName: input.TypeName, Type: "RESOURCE", Schema: JSON.stringify(doc) }
      })
      mocks.cfn.on(Cfn.CreateGeneratedTemplateCommand).callsFake(
        answerCfn((input: Cfn.CreateGeneratedTemplateInput, region) =>
          generator
            .start({
              region,
              templateName: input.GeneratedTemplateName!,
              resources: (input.Resources ?? []).map((r) => ({
                typeName: toTypeName(r.ResourceType!),
                identifier: r.ResourceIdentifier ?? {}
              })),
              deletionPolicy: input.TemplateConfiguration?.DeletionPolicy ?? "RETAIN",
              updateReplacePolicy: input.TemplateConfiguration?.UpdateReplacePolicy ?? "RETAIN"
            })
            .pipe(Effect.map(({ templateId }) => ({ GeneratedTemplateId: templateId })))
        )
      )
      mocks.cfn.on(Cfn.DescribeGeneratedTemplateCommand).callsFake(
        answerCfn((input: Cfn.DescribeGeneratedTemplateInput, region) =>
          generator.status({ region, templateId: input.GeneratedTemplateName! }).pipe(
            Effect.map((state) => ({
              GeneratedTemplateId: state.templateId,
              GeneratedTemplateName: state.templateName,
              Status: state.status,
              StatusReason: state.statusReason
            }))
          )
        )
      )
      mocks.cfn
        .on(Cfn.GetGeneratedTemplateCommand)
        .callsFake(
          answerCfn((input: Cfn.GetGeneratedTemplateInput, region) =>
            generator
              .fetch({ region, templateId: input.GeneratedTemplateName!, format: input.Format ?? "JSON" })
              .pipe(Effect.map(({ body }) => ({ Status: "COMPLETE" as const, TemplateBody: body })))
          )
        )
      mocks.cfn
        .on(Cfn.DeleteGeneratedTemplateCommand)
        .callsFake(
          answerCfn((input: Cfn.DeleteGeneratedTemplateInput, region) =>
            generator.remove({ region, templateId: input.GeneratedTemplateName! }).pipe(Effect.as({}))
          )
        )
      /** A Cloud Control answer carrying the memory cloud's progress event in the SDK's shape. */
      const answerEvent = <I>(handle: (input: I, region: Region) => Effect.Effect<ProgressEvent, DomainFailure>) =>
        answer((input: I, region: Region) =>
          handle(input, region).pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      /** The resource a Cloud Control input names, in its client's region. */
      const addressed = (
        input: { readonly TypeName?: string | undefined; readonly Identifier?: string | undefined },
        region: Region
      ) => ({
        typeName: toTypeName(input.TypeName!),
        identifier: toIdentifier(input.Identifier!),
        region
      })

      cc.on(Sdk.CreateResourceCommand).callsFake(
        answerEvent((input: Sdk.CreateResourceInput, region) =>
          memory.create({
            typeName: toTypeName(input.TypeName!),
            desiredState: json<JsonObject>(input.DesiredState),
            clientToken: input.ClientToken as ClientToken,
            region
          })
        )
      )
      cc.on(Sdk.UpdateResourceCommand).callsFake(
        answerEvent((input: Sdk.UpdateResourceInput, region) =>
          memory.update({
            ...addressed(input, region),
            patch: json<PatchDocument>(input.PatchDocument),
            clientToken: input.ClientToken as ClientToken
          })
        )
      )
      cc.on(Sdk.DeleteResourceCommand).callsFake(
        answerEvent((input: Sdk.DeleteResourceInput, region) =>
          memory.delete({ ...addressed(input, region), clientToken: input.ClientToken as ClientToken })
        )
      )
      cc.on(Sdk.GetResourceCommand).callsFake(
        answer((input: Sdk.GetResourceInput, region) =>
          memory.get(addressed(input, region)).pipe(
            Effect.map((r) => ({
              TypeName: input.TypeName,
              ResourceDescription: { Identifier: r.identifier, Properties: JSON.stringify(r.properties) }
            }))
          )
        )
      )
      cc.on(Sdk.ListResourcesCommand).callsFake(
        answer((input: Sdk.ListResourcesInput, region) =>
          memory
            .list({
              typeName: toTypeName(input.TypeName!),
              region,
              nextToken: input.NextToken,
              maxResults: input.MaxResults,
              resourceModel: input.ResourceModel === undefined ? undefined : json<JsonObject>(input.ResourceModel)
            })
            .pipe(
              Effect.map((page) => ({
                TypeName: page.typeName,
                ResourceDescriptions: page.resources.map((r) => ({
                  Identifier: r.identifier,
                  Properties: JSON.stringify(r.properties)
                })),
                ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {})
              }))
            )
        )
      )
      cc.on(Sdk.GetResourceRequestStatusCommand).callsFake(
        answerEvent((input: Sdk.GetResourceRequestStatusInput, region) =>
          memory.requestStatus({ requestToken: input.RequestToken as RequestToken, region })
        )
      )
      cc.on(Sdk.CancelResourceRequestCommand).callsFake(
        answerEvent((input: Sdk.CancelResourceRequestInput, region) =>
          memory.cancel({ requestToken: input.RequestToken as RequestToken, region })
        )
      )
    })
  ).pipe(
    Layer.provide(
      MemoryTemplateGenerator.layerMemory(
        options.templateDelay !== undefined ? { completionDelay: options.templateDelay } : {}
      ).pipe(Layer.provideMerge(MemoryCloud.layerMemory(options)))
    ),
    Layer.provideMerge(AwsAdapter.layer(testOptions()))
  )

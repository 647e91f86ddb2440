import {
  CloudControl,
  type JsonObject,
  type PatchDocument,
  type ProgressEvent,
  region as toRegion,
  type RequestToken,
  type ClientToken,
  identifier as toIdentifier,
  typeName as toTypeName
} from "@ccapi/core"
import * as Sdk from "@aws-sdk/client-cloudcontrol"
import { MemoryCloud } from "@ccapi/testkit"
import { mockClient } from "aws-sdk-client-mock"
import { Effect, Either, Layer, Runtime } from "effect"
import * as AwsCloudControl from "../src/AwsCloudControl.js"
import { testOptions } from "./support.js"

type DomainFailure = { readonly _tag: string; readonly message: string }

/** A domain error of the in-memory cloud → the exception the real SDK would throw for it. */
const toSdkException = (e: DomainFailure): Error => {
  const base = { message: e.message, $metadata: { httpStatusCode: 400 } }
  switch (e._tag) {
    case "ResourceNotFound":
      return new Sdk.ResourceNotFoundException(base)
    case "ResourceAlreadyExists":
      return new Sdk.AlreadyExistsException(base)
    case "TypeNotFound":
      return new Sdk.TypeNotFoundException(base)
    case "NotUpdatable":
      return new Sdk.NotUpdatableException(base)
    case "UnsupportedAction":
      return new Sdk.UnsupportedActionException(base)
    case "ConcurrentOperation":
      return new Sdk.ConcurrentOperationException(base)
    case "ClientTokenConflict":
      return new Sdk.ClientTokenConflictException(base)
    case "RequestNotFound":
      return new Sdk.RequestTokenNotFoundException(base)
    case "Throttled":
      return new Sdk.ThrottlingException(base)
    case "InvalidRequest":
      return new Sdk.InvalidRequestException(base)
    default:
      return new Sdk.ServiceInternalErrorException(base)
  }
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
 * The real `AwsCloudControl` whose SDK client is mocked (aws-sdk-client-mock) and answered by the testkit's
 * in-memory cloud: every SDK input is decoded as Cloud Control would (JSON strings, the client's region), and every
 * outcome is encoded as the SDK returns it (dates, exceptions). The mock is installed when the layer is built and
 * restored when it is released, and the in-memory cloud runs on the test's clock.
 */
export const layer = (options: MemoryCloud.MemoryCloudOptions = {}): Layer.Layer<CloudControl> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const memory = yield* CloudControl
      const runtime = yield* Effect.runtime<never>()
      const cc = yield* Effect.acquireRelease(
        Effect.sync(() => mockClient(Sdk.CloudControlClient)),
        (mock) => Effect.sync(() => mock.restore())
      )
      const answer =
        <I, A>(handle: (input: I, region: ReturnType<typeof toRegion>) => Effect.Effect<A, DomainFailure>) =>
        async (input: I, getClient: () => { config: { region: () => Promise<string> } }) => {
          const region = toRegion(await getClient().config.region())
          const outcome = await Runtime.runPromise(runtime)(Effect.either(handle(input, region)))
          if (Either.isLeft(outcome)) throw toSdkException(outcome.left)
          return outcome.right
        }
      const json = <A>(text: string | undefined): A => JSON.parse(text ?? "null") as A

      cc.on(Sdk.CreateResourceCommand).callsFake(
        answer((input: Sdk.CreateResourceInput, region) =>
          memory
            .create({
              typeName: toTypeName(input.TypeName!),
              desiredState: json<JsonObject>(input.DesiredState),
              clientToken: input.ClientToken as ClientToken,
              region
            })
            .pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      )
      cc.on(Sdk.UpdateResourceCommand).callsFake(
        answer((input: Sdk.UpdateResourceInput, region) =>
          memory
            .update({
              typeName: toTypeName(input.TypeName!),
              identifier: toIdentifier(input.Identifier!),
              patch: json<PatchDocument>(input.PatchDocument),
              clientToken: input.ClientToken as ClientToken,
              region
            })
            .pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      )
      cc.on(Sdk.DeleteResourceCommand).callsFake(
        answer((input: Sdk.DeleteResourceInput, region) =>
          memory
            .delete({
              typeName: toTypeName(input.TypeName!),
              identifier: toIdentifier(input.Identifier!),
              clientToken: input.ClientToken as ClientToken,
              region
            })
            .pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      )
      cc.on(Sdk.GetResourceCommand).callsFake(
        answer((input: Sdk.GetResourceInput, region) =>
          memory
            .get({ typeName: toTypeName(input.TypeName!), identifier: toIdentifier(input.Identifier!), region })
            .pipe(
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
        answer((input: Sdk.GetResourceRequestStatusInput, region) =>
          memory
            .requestStatus({ requestToken: input.RequestToken as RequestToken, region })
            .pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      )
      cc.on(Sdk.CancelResourceRequestCommand).callsFake(
        answer((input: Sdk.CancelResourceRequestInput, region) =>
          memory
            .cancel({ requestToken: input.RequestToken as RequestToken, region })
            .pipe(Effect.map((e) => ({ ProgressEvent: toSdkEvent(e) })))
        )
      )
    })
  ).pipe(Layer.provide(MemoryCloud.layerMemory(options)), Layer.provideMerge(AwsCloudControl.layer(testOptions())))

import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { CloudControl, Identity, identifier, region, typeName } from "@ccapi/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { afterEach, vi } from "vitest"
import { AwsAdapter } from "../src/index.js"
import { testOptions } from "./support.js"

/** These tests use real HTTP, on loopback only: they prove what the SDK does with endpoints and failures. */

const callerIdentityXml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/tester</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`

interface Seen {
  readonly method: string | undefined
  readonly body: string
  readonly headers: IncomingMessage["headers"]
}

const serve = (respond: (seen: Seen) => { status: number; type: string; body: string }) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly seen: Array<Seen>; readonly server: Server }>((resume) => {
      const seen: Array<Seen> = []
      const server = createServer((req, res) => {
        let body = ""
        req.on("data", (chunk) => (body += chunk))
        req.on("end", () => {
          const request = { method: req.method, body, headers: req.headers }
          seen.push(request)
          const answer = respond(request)
          res.writeHead(answer.status, { "content-type": answer.type })
          res.end(answer.body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }))
      })
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

/** A loopback port nothing listens on. */
const closedPort = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const provided = <A, E>(effect: Effect.Effect<A, E, AwsAdapter.AwsPorts>, options = testOptions()) =>
  Effect.scoped(Effect.flatMap(Layer.build(AwsAdapter.layer(options)), (context) => Effect.provide(effect, context)))

describe("over loopback HTTP", () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it.live("AWS_ENDPOINT_URL_STS is honoured by the SDK when no endpoint is passed", () =>
    Effect.gen(function* () {
      const sts = yield* serve(() => ({ status: 200, type: "text/xml", body: callerIdentityXml }))
      vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url)
      const me = yield* provided(Effect.flatMap(Identity, (identity) => identity.whoAmI()))
      assert.strictEqual(me.accountId, "123456789012")
      assert.strictEqual(me.arn, "arn:aws:iam::123456789012:user/tester")
      assert.strictEqual(me.credentialSource, "static")
      assert.strictEqual(me.endpoint, sts.url)
      assert.strictEqual(sts.seen.length, 1)
      assert.include(sts.seen[0]!.body, "Action=GetCallerIdentity")
      assert.include(String(sts.seen[0]!.headers.authorization), "AKIDEXAMPLE/", "signed with the static key")
    }).pipe(Effect.scoped)
  )

  it.live("an explicit endpoint with static credentials is used for every service (the sandbox's wiring)", () =>
    Effect.gen(function* () {
      const sandbox = yield* serve((req) =>
        String(req.headers["x-amz-target"]).startsWith("CloudApiService.")
          ? {
              status: 200,
              type: "application/x-amz-json-1.0",
              body: JSON.stringify({
                TypeName: "AWS::S3::Bucket",
                ResourceDescription: { Identifier: "b", Properties: '{"BucketName":"b"}' }
              })
            }
          : { status: 200, type: "text/xml", body: callerIdentityXml }
      )
      const options = testOptions({ endpoint: sandbox.url, sandbox: true })
      const [me, bucket] = yield* provided(
        Effect.all([
          Effect.flatMap(Identity, (identity) => identity.whoAmI(region("eu-west-1"))),
          Effect.flatMap(CloudControl, (cloud) =>
            cloud.get({
              typeName: typeName("AWS::S3::Bucket"),
              identifier: identifier("b"),
              region: region("eu-west-1")
            })
          )
        ]),
        options
      )
      assert.strictEqual(me.credentialSource, "sandbox")
      assert.strictEqual(me.region, "eu-west-1")
      assert.deepStrictEqual(bucket.properties, { BucketName: "b" })
      assert.strictEqual(sandbox.seen.length, 2)
      assert.strictEqual(
        sandbox.seen.filter((s) => s.headers["x-amz-target"] === "CloudApiService.GetResource").length,
        1
      )
    }).pipe(Effect.scoped)
  )

  it.live("a refused connection is CloudUnavailable naming the endpoint", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const endpoint = `http://127.0.0.1:${port}`
      const failure = yield* Effect.flip(
        provided(
          Effect.flatMap(CloudControl, (cloud) =>
            cloud.get({
              typeName: typeName("AWS::S3::Bucket"),
              identifier: identifier("b"),
              region: region("us-east-1")
            })
          ),
          testOptions({ endpoint })
        )
      )
      assert.strictEqual(failure._tag, "CloudUnavailable")
      assert.include(failure.message, endpoint)
      assert.include(failure.message, "ECONNREFUSED")
    })
  )

  it.live("a credential chain that finds nothing is CredentialsMissing with the fix, before any request is sent", () =>
    Effect.gen(function* () {
      const sts = yield* serve(() => ({ status: 200, type: "text/xml", body: callerIdentityXml }))
      const noCredentials = () =>
        Promise.reject(
          Object.assign(new Error("Could not load credentials from any providers"), {
            name: "CredentialsProviderError"
          })
        )
      const failure = yield* Effect.flip(
        provided(
          Effect.flatMap(Identity, (identity) => identity.whoAmI()),
          testOptions({ endpoint: sts.url, credentials: noCredentials })
        )
      )
      assert.strictEqual(failure._tag, "CredentialsMissing")
      assert.include(failure.message, "aws configure")
      assert.strictEqual(sts.seen.length, 0)
    }).pipe(Effect.scoped)
  )
})

import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { evaluateGuardrails, guardrailRules } from "../src/policy/Guardrails.js"
import type { PatchDocument } from "../src/model/Cloud.js"
import { typeName } from "../src/model/Ids.js"
import type { JsonObject, JsonValue } from "../src/model/Json.js"
import type { GuardrailSubject, GuardrailVerdict } from "../src/model/Plan.js"
import { boolean, constantFrom, nat, oneOf } from "./arbitraries.js"

const subject = (
  type: string,
  properties: JsonObject,
  extra: { operation?: GuardrailSubject["operation"]; patch?: PatchDocument } = {}
): GuardrailSubject => ({
  operation: extra.operation ?? (extra.patch ? "update" : "create"),
  typeName: typeName(type),
  properties,
  ...(extra.patch ? { patch: extra.patch } : {})
})

const verdicts = (s: GuardrailSubject, rule?: string): ReadonlyArray<GuardrailVerdict> =>
  evaluateGuardrails(s, new Set()).filter((v) => rule === undefined || v.rule === rule)
const paths = (s: GuardrailSubject, rule: string) => verdicts(s, rule).map((v) => v.path)

const policy = (...Statement: Array<JsonObject>): JsonObject => ({ Version: "2012-10-17", Statement })
const adminStatement: JsonObject = { Effect: "Allow", Action: "*", Resource: "*" }

describe("guardrail rules", () => {
  it("are data with unique ids, each described", () => {
    const ids = guardrailRules.map((r) => r.id)
    assert.deepStrictEqual(ids, [
      "iam-admin-wildcard",
      "iam-privilege-escalation",
      "public-principal",
      "s3-public-access",
      "rds-public",
      "sg-open-admin-ports",
      "lambda-url-no-auth",
      "encryption-disabled"
    ])
    for (const rule of guardrailRules) assert.isAbove(rule.description.length, 20)
  })

  it("a switched-off rule gives no verdict, the others still do", () => {
    const s = subject("AWS::IAM::Policy", { PolicyDocument: policy({ ...adminStatement, Principal: "*" }) })
    const off = evaluateGuardrails(s, new Set(["iam-admin-wildcard"]))
    assert.deepStrictEqual(
      off.map((v) => v.rule),
      ["public-principal"]
    )
  })

  it("deleting a risky resource is not itself risky", () => {
    const s = subject(
      "AWS::RDS::DBInstance",
      { PubliclyAccessible: true, StorageEncrypted: false },
      { operation: "delete" }
    )
    assert.deepStrictEqual(verdicts(s), [])
  })
})

describe("iam-admin-wildcard", () => {
  it("triggers on Allow * on *, with the pointer to the statement and a reason", () => {
    const s = subject("AWS::IAM::Policy", {
      PolicyName: "p",
      PolicyDocument: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, adminStatement)
    })
    const [verdict, ...rest] = verdicts(s, "iam-admin-wildcard")
    assert.deepStrictEqual(rest, [])
    assert.strictEqual(verdict?.path, "/PolicyDocument/Statement/1")
    assert.include(verdict?.reason, "every action")
  })

  it("triggers on arrays, *:*, a single Statement object and a lower-case effect", () => {
    const cases: Array<readonly [JsonObject, string]> = [
      [
        { PolicyDocument: policy({ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] }) },
        "/PolicyDocument/Statement/0"
      ],
      [{ PolicyDocument: policy({ Effect: "Allow", Action: "*:*", Resource: "*" }) }, "/PolicyDocument/Statement/0"],
      [{ PolicyDocument: { Statement: adminStatement } }, "/PolicyDocument/Statement"],
      [{ PolicyDocument: policy({ Effect: "allow", Action: "*", Resource: "*" }) }, "/PolicyDocument/Statement/0"]
    ]
    for (const [properties, path] of cases) {
      assert.deepStrictEqual(paths(subject("AWS::IAM::ManagedPolicy", properties), "iam-admin-wildcard"), [path])
    }
  })

  it("finds policies nested in Policies[*] and in JSON strings", () => {
    const s = subject("AWS::IAM::Role", {
      AssumeRolePolicyDocument: policy({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole"
      }),
      Policies: [
        { PolicyName: "read", PolicyDocument: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) },
        { PolicyName: "admin", PolicyDocument: JSON.stringify(policy(adminStatement)) }
      ]
    })
    assert.deepStrictEqual(paths(s, "iam-admin-wildcard"), ["/Policies/1/PolicyDocument/Statement/0"])
  })

  it("finds a policy that an update's patch adds", () => {
    const patch: PatchDocument = [
      { op: "add", path: "/Policies/-", value: { PolicyName: "admin", PolicyDocument: policy(adminStatement) } }
    ]
    const s = subject("AWS::IAM::Role", { RoleName: "r" }, { patch })
    assert.deepStrictEqual(paths(s, "iam-admin-wildcard"), ["/Policies/-/PolicyDocument/Statement/0"])
  })

  it("does not trigger on Deny, on narrower actions or resources, or on strings that are not policies", () => {
    const quiet: Array<JsonObject> = [
      { PolicyDocument: policy({ Effect: "Deny", Action: "*", Resource: "*" }) },
      { PolicyDocument: policy({ Effect: "Allow", Action: "s3:*", Resource: "*" }) },
      { PolicyDocument: policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket/*" }) },
      { PolicyDocument: policy({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::bucket/*" }) },
      { Description: '{"Statement": "*" not json' }
    ]
    for (const properties of quiet) assert.deepStrictEqual(verdicts(subject("AWS::IAM::Policy", properties)), [])
  })

  const action = Arbitrary.schema(Schema.String.check(Schema.isPattern(/^[a-z0-9]{1,8}:[A-Za-z*]{1,12}$/)))
  const resource = oneOf(
    Arbitrary.Constant("*"),
    Arbitrary.schema(Schema.String.check(Schema.isPattern(/^arn:aws:[a-z0-9]{1,8}:::[a-z0-9*/-]{1,12}$/)))
  )
  const wildcard = Arbitrary.schema(Schema.Literals(["*", "*:*"]))
  const narrowStatement = Arbitrary.all({
    Effect: Arbitrary.schema(Schema.Literals(["Allow", "Deny"])),
    Action: oneOf<JsonValue>(action, Arbitrary.array(action, { minLength: 1, maxLength: 4 })),
    Resource: oneOf<JsonValue>(resource, Arbitrary.array(resource, { minLength: 1, maxLength: 3 }))
  })
  const wildcardStatement = Arbitrary.all({
    Effect: Arbitrary.Constant("Allow"),
    Action: oneOf<JsonValue>(
      wildcard,
      Arbitrary.all([Arbitrary.array(action, { maxLength: 3 }), wildcard]).pipe(Arbitrary.map(([a, w]) => [...a, w]))
    ),
    Resource: constantFrom<JsonValue>("*", ["*"], ["arn:aws:s3:::x", "*"])
  })
  /** Places a policy where CloudFormation types keep them: directly, or inside Policies[*]; as an object or a JSON string. */
  const place = (document: JsonObject, asString: boolean, nested: boolean): GuardrailSubject => {
    const value = asString ? JSON.stringify(document) : document
    return nested
      ? subject("AWS::IAM::Role", { Policies: [{ PolicyName: "p", PolicyDocument: value }] })
      : subject("AWS::IAM::Policy", { PolicyName: "p", PolicyDocument: value })
  }

  it.prop(
    "policies without a * on * statement never trigger",
    [Arbitrary.array(narrowStatement, { minLength: 1, maxLength: 5 }), boolean, boolean],
    ([statements, asString, nested]) => {
      assert.deepStrictEqual(verdicts(place(policy(...statements), asString, nested), "iam-admin-wildcard"), [])
    }
  )

  it.prop(
    "a * on * statement anywhere in a policy always triggers, at its index",
    [Arbitrary.array(narrowStatement, { maxLength: 4 }), wildcardStatement, nat, boolean, boolean],
    ([statements, wildcard, at, asString, nested]) => {
      const index = at % (statements.length + 1)
      const all = [...statements.slice(0, index), wildcard, ...statements.slice(index)]
      const found = paths(place(policy(...all), asString, nested), "iam-admin-wildcard")
      assert.include(found, `${nested ? "/Policies/0" : ""}/PolicyDocument/Statement/${index}`)
    }
  )
})

describe("public-principal", () => {
  const bucketPolicy = (statement: JsonObject) =>
    subject("AWS::S3::BucketPolicy", {
      Bucket: "b",
      PolicyDocument: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", ...statement })
    })

  it('triggers on "*", {"AWS": "*"} and {"AWS": ["*"]}', () => {
    for (const Principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::111122223333:root", "*"] }] as Array<JsonValue>) {
      assert.deepStrictEqual(paths(bucketPolicy({ Principal }), "public-principal"), ["/PolicyDocument/Statement/0"])
    }
  })

  it("triggers on a key policy given as a JSON string", () => {
    const s = subject("AWS::KMS::Key", {
      KeyPolicy: JSON.stringify(policy({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }))
    })
    assert.deepStrictEqual(paths(s, "public-principal"), ["/KeyPolicy/Statement/0"])
  })

  it("does not trigger with a restricting condition, a named principal, a service or a Deny", () => {
    const quiet: Array<JsonObject> = [
      { Principal: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } },
      { Principal: { AWS: "arn:aws:iam::111122223333:root" } },
      { Principal: { Service: "cloudtrail.amazonaws.com" } },
      { Principal: "*", Effect: "Deny" }
    ]
    for (const statement of quiet) assert.deepStrictEqual(paths(bucketPolicy(statement), "public-principal"), [])
  })

  it("an empty Condition does not restrict", () => {
    assert.lengthOf(paths(bucketPolicy({ Principal: "*", Condition: {} }), "public-principal"), 1)
  })
})

describe("s3-public-access", () => {
  const flags = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
  const block = (off: string) => Object.fromEntries(flags.map((f) => [f, f !== off]))

  it("triggers on each public-access block flag switched off", () => {
    for (const flag of flags) {
      const s = subject("AWS::S3::Bucket", { PublicAccessBlockConfiguration: block(flag) })
      assert.deepStrictEqual(paths(s, "s3-public-access"), [`/PublicAccessBlockConfiguration/${flag}`])
    }
  })

  it("triggers on public ACLs", () => {
    for (const acl of ["PublicRead", "PublicReadWrite", "AuthenticatedRead"]) {
      assert.deepStrictEqual(paths(subject("AWS::S3::Bucket", { AccessControl: acl }), "s3-public-access"), [
        "/AccessControl"
      ])
    }
  })

  it("does not trigger on a private bucket with the block on", () => {
    const s = subject("AWS::S3::Bucket", { AccessControl: "Private", PublicAccessBlockConfiguration: block("") })
    assert.deepStrictEqual(verdicts(s), [])
  })
})

describe("rds-public", () => {
  it("triggers on a public DB instance or cluster", () => {
    for (const type of ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]) {
      assert.deepStrictEqual(paths(subject(type, { PubliclyAccessible: true }), "rds-public"), ["/PubliclyAccessible"])
    }
  })

  it("does not trigger on a private database", () => {
    assert.deepStrictEqual(verdicts(subject("AWS::RDS::DBInstance", { PubliclyAccessible: false })), [])
    assert.deepStrictEqual(verdicts(subject("AWS::RDS::DBInstance", { Engine: "postgres" })), [])
  })
})

describe("sg-open-admin-ports", () => {
  const group = (...rules: Array<JsonObject>) => subject("AWS::EC2::SecurityGroup", { SecurityGroupIngress: rules })

  it("triggers on admin or database ports open to the internet, over IPv4 or IPv6", () => {
    const open: Array<JsonObject> = [
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIpv6: "::/0" },
      { IpProtocol: "tcp", FromPort: 0, ToPort: 65535, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "-1", CidrIp: "0.0.0.0/0" },
      { IpProtocol: "6", FromPort: "3306", ToPort: "3306", CidrIp: "0.0.0.0/0" }
    ]
    for (const rule of open)
      assert.deepStrictEqual(paths(group(rule), "sg-open-admin-ports"), ["/SecurityGroupIngress/0"])
  })

  it("names the open ports in the reason", () => {
    const [verdict] = verdicts(group({ IpProtocol: "tcp", FromPort: 5400, ToPort: 5500, CidrIp: "0.0.0.0/0" }))
    assert.include(verdict?.reason, "ports 5432, 5439")
  })

  it("covers the standalone SecurityGroupIngress type", () => {
    const s = subject("AWS::EC2::SecurityGroupIngress", {
      GroupId: "sg-1",
      IpProtocol: "tcp",
      FromPort: 5432,
      ToPort: 5432,
      CidrIp: "0.0.0.0/0"
    })
    assert.deepStrictEqual(paths(s, "sg-open-admin-ports"), [""])
  })

  it("does not trigger on web ports, private ranges or ICMP", () => {
    const s = group(
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8" },
      { IpProtocol: "icmp", FromPort: -1, ToPort: -1, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, SourceSecurityGroupId: "sg-2" }
    )
    assert.deepStrictEqual(verdicts(s), [])
  })
})

describe("lambda-url-no-auth", () => {
  it("triggers on AuthType NONE and not on AWS_IAM", () => {
    assert.deepStrictEqual(
      paths(subject("AWS::Lambda::Url", { TargetFunctionArn: "f", AuthType: "NONE" }), "lambda-url-no-auth"),
      ["/AuthType"]
    )
    assert.deepStrictEqual(verdicts(subject("AWS::Lambda::Url", { TargetFunctionArn: "f", AuthType: "AWS_IAM" })), [])
  })
})

describe("encryption-disabled", () => {
  it("triggers on StorageEncrypted false and Encrypted false anywhere", () => {
    assert.deepStrictEqual(paths(subject("AWS::RDS::DBCluster", { StorageEncrypted: false }), "encryption-disabled"), [
      "/StorageEncrypted"
    ])
    const instance = subject("AWS::EC2::Instance", {
      BlockDeviceMappings: [
        { DeviceName: "/dev/xvda", Ebs: { Encrypted: true } },
        { DeviceName: "/dev/xvdb", Ebs: { Encrypted: false } }
      ]
    })
    assert.deepStrictEqual(paths(instance, "encryption-disabled"), ["/BlockDeviceMappings/1/Ebs/Encrypted"])
  })

  it("triggers on SqsManagedSseEnabled false only without a KMS key", () => {
    assert.deepStrictEqual(paths(subject("AWS::SQS::Queue", { SqsManagedSseEnabled: false }), "encryption-disabled"), [
      "/SqsManagedSseEnabled"
    ])
    assert.deepStrictEqual(
      verdicts(subject("AWS::SQS::Queue", { SqsManagedSseEnabled: false, KmsMasterKeyId: "alias/q" })),
      []
    )
  })

  it("triggers on a patch that removes or disables encryption", () => {
    const cases: Array<readonly [PatchDocument, string]> = [
      [[{ op: "remove", path: "/BucketEncryption" }], "/BucketEncryption"],
      [[{ op: "remove", path: "/KmsMasterKeyId" }], "/KmsMasterKeyId"],
      [[{ op: "replace", path: "/SSESpecification/SSEEnabled", value: false }], "/SSESpecification/SSEEnabled"],
      [[{ op: "replace", path: "/SSESpecification", value: { SSEEnabled: false } }], "/SSESpecification/SSEEnabled"],
      [[{ op: "replace", path: "/StorageEncrypted", value: false }], "/StorageEncrypted"]
    ]
    for (const [patch, path] of cases) {
      assert.deepStrictEqual(
        paths(subject("AWS::DynamoDB::Table", { TableName: "t" }, { patch }), "encryption-disabled"),
        [path]
      )
    }
  })

  it("reports a change once when both the preview and the patch show it", () => {
    const patch: PatchDocument = [{ op: "replace", path: "/StorageEncrypted", value: false }]
    assert.lengthOf(verdicts(subject("AWS::RDS::DBInstance", { StorageEncrypted: false }, { patch })), 1)
  })

  it("does not trigger on encrypted resources or unrelated patches", () => {
    assert.deepStrictEqual(verdicts(subject("AWS::RDS::DBCluster", { StorageEncrypted: true })), [])
    const patch: PatchDocument = [
      { op: "remove", path: "/Tags" },
      { op: "replace", path: "/SSESpecification/SSEEnabled", value: true }
    ]
    assert.deepStrictEqual(verdicts(subject("AWS::DynamoDB::Table", { TableName: "t" }, { patch })), [])
  })
})

import { assert, describe, it } from "@effect/vitest"
import { credentials, type TestServer, useTestServers } from "./support/TestServer.js"

/*
 * Every class of guardrail bypass from issue 12, as a hostile model would send it: through the MCP tools, where
 * generate_infrastructure_code must answer with a guardrail verdict (and explain must mint no explained token), while
 * the harmless neighbours plan cleanly. Updates run against resources seeded into the memory cloud.
 */

const start = useTestServers()

type Properties = Record<string, unknown>

interface Attack {
  readonly name: string
  readonly type: string
  readonly rule: string
  readonly properties?: Properties
  /** An update: the live resource and the patch (or new properties) the model sends. */
  readonly live?: Properties
  readonly patch?: ReadonlyArray<Properties>
  readonly update?: Properties
}

const policy = (...Statement: Array<Properties>) => ({ Version: "2012-10-17", Statement })
const fullBlock = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true
}
const bucketPolicy = (statement: Properties) => ({
  Bucket: "b",
  PolicyDocument: policy({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", ...statement })
})
const group = (...SecurityGroupIngress: Array<Properties>) => ({ GroupDescription: "web", SecurityGroupIngress })
const keyArn = (id: string) => `arn:aws:kms:us-east-1:123456789012:key/${id}`

const plan = async (t: TestServer, creds: string, attack: Attack) => {
  let identifier: string | undefined
  if (attack.live !== undefined) identifier = (await t.seed(attack.type, attack.live)).identifier as string
  const out = await t.call("generate_infrastructure_code", {
    resource_type: attack.type,
    credentials_token: creds,
    ...(identifier !== undefined ? { identifier } : {}),
    ...(attack.patch !== undefined ? { patch_document: attack.patch } : {}),
    ...(attack.update !== undefined ? { properties: attack.update } : {}),
    ...(attack.properties !== undefined ? { properties: attack.properties } : {})
  })
  assert.isTrue(out.ok, `${attack.name}: ${out.text}`)
  return out.data
}

const attacks: ReadonlyArray<Attack> = [
  // ── Policies: admin in other spellings ──
  {
    name: "a policy as a JSON string whose keys are \\u-escaped",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: {
      PolicyDocument:
        '{"Version":"2012-10-17","St\\u0061tement":[{"\\u0045ffect":"Allow","\\u0041ction":"*","Resource":"*"}]}'
    }
  },
  {
    name: "NotAction with Allow on every resource",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: { PolicyDocument: policy({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }) }
  },
  {
    name: "every action on arn:*",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: { PolicyDocument: policy({ Effect: "Allow", Action: "*:*", Resource: ["arn:*"] }) }
  },
  {
    name: "every action on arn:aws:*:*:*:*",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: { PolicyDocument: policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:*:*:*:*" }) }
  },
  {
    name: "every action on NotResource",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: { PolicyDocument: policy({ Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::audit-logs/*" }) }
  },
  {
    name: "iam:* on * in a role's inline policy",
    type: "AWS::IAM::Role",
    rule: "iam-privilege-escalation",
    properties: {
      AssumeRolePolicyDocument: policy({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole"
      }),
      Policies: [{ PolicyName: "ops", PolicyDocument: policy({ Effect: "Allow", Action: "iam:*", Resource: "*" }) }]
    }
  },
  {
    name: "iam:PassRole and ec2:RunInstances split across statements",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-privilege-escalation",
    properties: {
      PolicyDocument: policy(
        { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/*" },
        { Effect: "Allow", Action: ["ec2:RunInstances", "ec2:Describe*"], Resource: "*" }
      )
    }
  },
  {
    name: "iam:Put*Policy in upper case",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-privilege-escalation",
    properties: { PolicyDocument: policy({ Effect: "Allow", Action: "IAM:PUT*POLICY", Resource: "*" }) }
  },
  {
    name: "a policy too large to judge in time (far beyond IAM's limits)",
    type: "AWS::IAM::ManagedPolicy",
    rule: "iam-admin-wildcard",
    properties: {
      PolicyDocument: policy(
        ...Array.from({ length: 2000 }, (_, i) => ({
          Effect: "Allow",
          Action: [`svc${i}:Get*`, `svc${i}:List*`, `svc${i}:Describe*`],
          Resource: "*"
        }))
      )
    }
  },
  // ── Principals ──
  {
    name: "a public principal with a wildcard condition value",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Condition: { StringLike: { "aws:SourceAccount": "*" } }
    })
  },
  {
    name: "a public principal with a condition that does not constrain the caller",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Condition: { Bool: { "aws:SecureTransport": "true" } }
    })
  },
  {
    name: "a public principal pinned only IfExists",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } }
    })
  },
  {
    name: "CanonicalUser *",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({ Effect: "Allow", Principal: { CanonicalUser: "*" } })
  },
  {
    name: "Federated *",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({ Effect: "Allow", Principal: { Federated: ["*"] } })
  },
  {
    name: "Allow with NotPrincipal",
    type: "AWS::S3::BucketPolicy",
    rule: "public-principal",
    properties: bucketPolicy({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } })
  },
  {
    name: "a key policy as a JSON string with AWS: [*]",
    type: "AWS::KMS::Key",
    rule: "public-principal",
    properties: {
      KeyPolicy: JSON.stringify(
        policy({ Effect: "allow", Principal: { AWS: ["*"] }, Action: "kms:Decrypt", Resource: "*" })
      )
    }
  },
  {
    name: "a Lambda permission for Principal * without SourceArn or SourceAccount",
    type: "AWS::Lambda::Permission",
    rule: "public-principal",
    properties: { FunctionName: "my-function", Action: "lambda:InvokeFunction", Principal: "*" }
  },
  // ── Network ──
  {
    name: "SSH from 0.0.0.0/1 and 128.0.0.0/1",
    type: "AWS::EC2::SecurityGroup",
    rule: "sg-open-admin-ports",
    properties: group(
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/1" },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "128.0.0.0/1" }
    )
  },
  {
    name: "RDP from 0:0:0:0:0:0:0:0/0",
    type: "AWS::EC2::SecurityGroup",
    rule: "sg-open-admin-ports",
    properties: group({ IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIpv6: "0:0:0:0:0:0:0:0/0" })
  },
  {
    name: "a port range that includes MySQL",
    type: "AWS::EC2::SecurityGroup",
    rule: "sg-open-admin-ports",
    properties: group({ IpProtocol: "tcp", FromPort: 3000, ToPort: 4000, CidrIp: "0.0.0.0/0" })
  },
  {
    name: "IpProtocol -1 from the internet",
    type: "AWS::EC2::SecurityGroup",
    rule: "sg-open-admin-ports",
    properties: group({ IpProtocol: "-1", CidrIp: "0.0.0.0/0" })
  },
  {
    name: "a standalone ingress rule from an upper-case ::0/0",
    type: "AWS::EC2::SecurityGroupIngress",
    rule: "sg-open-admin-ports",
    properties: { GroupId: "sg-12345678", IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, CidrIpv6: "0000:0::0/0" }
  },
  {
    name: "a network ACL entry allowing every protocol",
    type: "AWS::EC2::NetworkAclEntry",
    rule: "sg-open-admin-ports",
    properties: {
      NetworkAclId: "acl-12345678",
      RuleNumber: 100,
      Protocol: -1,
      RuleAction: "allow",
      CidrBlock: "0.0.0.0/0"
    }
  },
  // ── Public access ──
  {
    name: "a partial public-access block",
    type: "AWS::S3::Bucket",
    rule: "s3-public-access",
    properties: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true } }
  },
  {
    name: "an empty public-access block",
    type: "AWS::S3::Bucket",
    rule: "s3-public-access",
    properties: { PublicAccessBlockConfiguration: {} }
  },
  {
    name: "a public canned ACL",
    type: "AWS::S3::Bucket",
    rule: "s3-public-access",
    properties: { AccessControl: "AuthenticatedRead", PublicAccessBlockConfiguration: fullBlock }
  },
  {
    name: "a patch that removes the public-access block",
    type: "AWS::S3::Bucket",
    rule: "s3-public-access",
    live: { BucketName: "blocked-1", PublicAccessBlockConfiguration: fullBlock },
    patch: [{ op: "remove", path: "/PublicAccessBlockConfiguration" }]
  },
  {
    name: "a patch that removes one flag",
    type: "AWS::S3::Bucket",
    rule: "s3-public-access",
    live: { BucketName: "blocked-2", PublicAccessBlockConfiguration: fullBlock },
    patch: [{ op: "remove", path: "/PublicAccessBlockConfiguration/RestrictPublicBuckets" }]
  },
  // ── Encryption ──
  {
    name: "a patch that moves the queue's KMS key away",
    type: "AWS::SQS::Queue",
    rule: "encryption-disabled",
    live: { QueueName: "q-move", KmsMasterKeyId: "alias/q", Tags: [{ Key: "team", Value: "a" }] },
    patch: [{ op: "move", from: "/KmsMasterKeyId", path: "/Tags/0/Value" }]
  },
  {
    name: "a patch that empties the queue's KMS key",
    type: "AWS::SQS::Queue",
    rule: "encryption-disabled",
    live: { QueueName: "q-empty", KmsMasterKeyId: "alias/q" },
    patch: [{ op: "replace", path: "/KmsMasterKeyId", value: "" }]
  },
  {
    name: "a patch that removes a domain's encryption at rest (a setting no list names)",
    type: "AWS::OpenSearchService::Domain",
    rule: "encryption-disabled",
    live: { DomainName: "search-1", EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyArn("k1") } },
    patch: [{ op: "remove", path: "/EncryptionAtRestOptions" }]
  },
  {
    name: "new properties that drop the bucket's encryption",
    type: "AWS::S3::Bucket",
    rule: "encryption-disabled",
    live: {
      BucketName: "enc-1",
      PublicAccessBlockConfiguration: fullBlock,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn("k2") } }
        ]
      }
    },
    update: {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }]
      }
    }
  },
  {
    name: "a cache cluster left unencrypted by the schema's default",
    type: "AWS::ElastiCache::ReplicationGroup",
    rule: "encryption-disabled",
    properties: { ReplicationGroupDescription: "cache" }
  }
]

const neighbours: ReadonlyArray<Omit<Attack, "rule">> = [
  {
    name: "a narrow policy as an escaped JSON string",
    type: "AWS::IAM::ManagedPolicy",
    properties: {
      PolicyDocument:
        '{"St\\u0061tement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}'
    }
  },
  {
    name: "read-only IAM on every resource and PassRole of one role",
    type: "AWS::IAM::ManagedPolicy",
    properties: {
      PolicyDocument: policy(
        { Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
        { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/app" }
      )
    }
  },
  {
    name: "a role that a service assumes",
    type: "AWS::IAM::Role",
    properties: {
      AssumeRolePolicyDocument: policy({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole"
      })
    }
  },
  {
    name: "anyone pinned to an account, and a service",
    type: "AWS::S3::BucketPolicy",
    properties: {
      Bucket: "b",
      PolicyDocument: policy(
        {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } }
        },
        {
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::b/*"
        }
      )
    }
  },
  {
    name: "a Lambda permission for a service with its SourceArn",
    type: "AWS::Lambda::Permission",
    properties: {
      FunctionName: "my-function",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::uploads",
      SourceAccount: "123456789012"
    }
  },
  {
    name: "web ports from the internet and SSH from half of it",
    type: "AWS::EC2::SecurityGroup",
    properties: group(
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv6: "::/0" },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8" },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/1" }
    )
  },
  {
    name: "a network ACL entry that denies",
    type: "AWS::EC2::NetworkAclEntry",
    properties: {
      NetworkAclId: "acl-12345678",
      RuleNumber: 90,
      Protocol: -1,
      RuleAction: "deny",
      CidrBlock: "0.0.0.0/0"
    }
  },
  {
    name: "a bucket with the full block",
    type: "AWS::S3::Bucket",
    properties: { AccessControl: "BucketOwnerFullControl", PublicAccessBlockConfiguration: fullBlock }
  },
  {
    name: "a patch that replaces the queue's KMS key by another",
    type: "AWS::SQS::Queue",
    live: { QueueName: "q-rotate", KmsMasterKeyId: "alias/old" },
    patch: [{ op: "replace", path: "/KmsMasterKeyId", value: "alias/new" }]
  },
  {
    name: "a patch that changes versioning of a blocked bucket",
    type: "AWS::S3::Bucket",
    live: { BucketName: "blocked-3", PublicAccessBlockConfiguration: fullBlock },
    patch: [{ op: "add", path: "/VersioningConfiguration", value: { Status: "Enabled" } }]
  },
  {
    name: "an encrypted cache cluster",
    type: "AWS::ElastiCache::ReplicationGroup",
    properties: { ReplicationGroupDescription: "cache", AtRestEncryptionEnabled: true }
  }
]

describe("generate_infrastructure_code refuses every class of guardrail bypass", () => {
  for (const attack of attacks)
    it(`${attack.rule}: ${attack.name}`, async () => {
      const t = await start({ config: { securityScanning: "disabled" } })
      const creds = await credentials(t)
      const generated = await plan(t, creds, attack)
      const verdicts = generated["plan"]["guardrails"] as Array<{ rule: string; path: string; reason: string }>
      assert.include(
        verdicts.map((v) => v.rule),
        attack.rule,
        JSON.stringify(verdicts)
      )
      assert.include(generated["next_step"], "guardrail")
      const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
      assert.isUndefined(explained["explained_token"])
      const verdict = verdicts.find((v) => v.rule === attack.rule)!
      assert.include(explained["explanation"], attack.rule)
      assert.include(explained["explanation"], verdict.reason.slice(0, 30))
      assert.deepInclude(t.counts, { create: 0, update: 0 })
    })
})

describe("the harmless neighbours plan without a verdict", () => {
  for (const neighbour of neighbours)
    it(neighbour.name, async () => {
      const t = await start({ config: { securityScanning: "disabled" } })
      const creds = await credentials(t)
      const generated = await plan(t, creds, { ...neighbour, rule: "" })
      assert.deepStrictEqual(generated["plan"]["guardrails"], [])
      const explained = await t.must("explain", { generated_code_token: generated["generated_code_token"] })
      assert.isString(explained["explained_token"])
    })
})

import { assert, describe, it } from "@effect/vitest"
import { approvedByPerson, credentials, scannedCreate, useTestServers } from "./support/TestServer.js"

/*
 * What a hostile (or just mistaken) model meets through the MCP tools now that the in-memory cloud behaves like
 * Cloud Control (issue 16): parent-scoped lists need their parent, types Cloud Control cannot provision are refused
 * whatever the workflow's tokens say, and a reference to a VPC that does not exist does not make a subnet.
 */

const start = useTestServers()

describe("Cloud Control's own refusals, through the MCP tools", () => {
  it("listing a parent-scoped type without its parent is refused, naming the parent property", async () => {
    const t = await start()
    const out = await t.call("list_resources", { resource_type: "AWS::EKS::Nodegroup" })
    assert.isFalse(out.ok)
    assert.include(out.text, "ClusterName")
  })

  it("a NON_PROVISIONABLE type is refused at create even with a complete, approved workflow", async () => {
    const t = await start()
    const creds = await credentials(t)
    const typeName = "AWS::CodeCommit::Repository"
    const { scan, args } = await scannedCreate(t, creds, { RepositoryName: "hostile-repo" }, typeName)
    const refused = await (scan["passed"]
      ? t.call("create_resource", args)
      : approvedByPerson(t, "create_resource", args).then(
          (data) => ({ ok: true, text: JSON.stringify(data) }),
          (error: Error) => ({ ok: false, text: error.message })
        ))
    assert.isFalse(refused.ok)
    assert.match(refused.text, /does not support CREATE|NON_PROVISIONABLE|UnsupportedAction/)
    const listed = await t.call("list_resources", { resource_type: typeName })
    assert.isFalse(listed.ok)
  })
})

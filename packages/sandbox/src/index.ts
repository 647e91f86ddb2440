export * from "./SandboxServer.js"
export * from "./SandboxState.js"

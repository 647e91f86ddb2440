// Preloaded into the spawned bin (node --import): says on stderr when anything resolves cdk-from-cfn.
import { registerHooks } from "node:module"

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "cdk-from-cfn") process.stderr.write("[trace] cdk-from-cfn resolved\n")
    return nextResolve(specifier, context)
  }
})

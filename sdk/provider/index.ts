// The plugin provider for programs in other languages (not part of the public
// TypeScript API: TypeScript programs use the classes directly).
export { NatsProvider, COMPONENT_TOKEN, detailedDiff, secretPathsOf, typeOfUrn } from "./provider";
export type { DetailedDiffResult, PropertyDiffKind } from "./provider";
export { serve } from "./serve";
export { reveal, conceal, isSecret } from "./secrets";
export { startIfRunAsPlugin, isRunPluginProgram } from "./plugin-mode";

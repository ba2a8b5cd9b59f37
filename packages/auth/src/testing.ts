// `@gatehouse/auth/testing`: what tests and documentation checks use, not an
// app that embeds Gatehouse. `createCallContext` makes the context of an
// in-process call (`appRouter.createCaller(ctx)`), without node:http; the
// catalog lists every procedure with its meta and validators.
export { createCallContext, type CallContextOptions, type Context, type HttpHandle, type RecordedHttp } from "./context.js";
export { catalogOf, type CatalogEntry, type ProcedurePath } from "./trpc-internals.js";
export { statusOfReason } from "./http/openapi/responses.js";
export { createOpenApiDocument, type OpenApiDocument } from "./http/openapi/openapi-document.js";

// `@gatehouse/auth/testing`: what tests and documentation checks use, not an
// app that embeds Gatehouse. `createCallContext` makes the context of an
// in-process call (`appRouter.createCaller(ctx)`), without node:http; the
// catalog lists every procedure with its meta and validators; `startTestServer`
// runs a real server on a fake clock, a memory store and outbox mail.
export { createCallContext, type CallContextOptions, type Context, type HttpHandle, type RecordedHttp } from "./context.js";
export { catalogOf, type CatalogEntry, type ProcedurePath } from "./trpc-internals.js";
export { statusOfReason } from "./http/openapi/responses.js";
export { createOpenApiDocument, type OpenApiDocument } from "./http/openapi/openapi-document.js";
export { createTestServices, startTestServer, type TestServer, type TestServices, type TestServicesOptions } from "./test-server.js";

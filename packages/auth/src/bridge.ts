// `@gatehouse/auth/bridge`: how Gatehouse serves a tRPC router over node:http,
// for serving another router the same way (the bench's baseline). An app that
// embeds Gatehouse needs none of it: the main entry serves Gatehouse's router.
export { createTrpcBridge, writeTrpcAnswer, type TrpcAnswer, type TrpcBridge, type TrpcBridgeOptions } from "./http/trpc-bridge.js";
export { createReply, type Reply } from "./http/reply.js";
export { readBody } from "./http/read-body.js";

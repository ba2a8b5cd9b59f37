import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { okOutput, procedures, sessionCaller } from "../../trpc.js";
import type { PasskeyRecord } from "./passkey-store.js";
import { creationOptionsOutput, passkeyIdInput, passkeyOutput, registeredPasskeyOutput, registerInput, renameInput } from "./schema.js";

const iso = (ms: number) => new Date(ms).toISOString();
const listed = (p: PasskeyRecord) => ({ id: p.id, name: p.name, createdAt: iso(p.createdAt), lastUsedAt: p.lastUsedAt === null ? null : iso(p.lastUsedAt) });

/** The signed-in user's passkeys. Adding and removing one needs a recent password (step-up). */
export const passkeysRouter = {
  registrationOptions: procedures.userWithStepUp
    .output(creationOptionsOutput)
    .mutation(({ ctx }) => ctx.services.passkeys.registrationOptions(sessionCaller(ctx.caller))),

  register: procedures.userWithStepUp
    .input(registerInput)
    .output(registeredPasskeyOutput)
    .mutation(async ({ ctx, input }) => {
      const passkey = await ctx.services.passkeys.register(
        sessionCaller(ctx.caller),
        { challengeId: input.challengeId, response: input.response, name: input.name },
        ctx.meta,
      );
      return { id: passkey.id, name: passkey.name, createdAt: iso(passkey.createdAt) };
    }),

  list: procedures.user.output(z.array(passkeyOutput)).query(async ({ ctx }) => (await ctx.services.passkeys.list(ctx.caller.user)).map(listed)),

  rename: procedures.user
    .input(renameInput)
    .output(passkeyOutput)
    .mutation(async ({ ctx, input }) => listed(await ctx.services.passkeys.rename(ctx.caller.user, { id: input.id, name: input.name }, ctx.meta))),

  remove: procedures.userWithStepUp
    .input(passkeyIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.passkeys.remove(ctx.caller.user, input.id, ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;

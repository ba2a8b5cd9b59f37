import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./router.js";

/** Every procedure's input, from the server's own validators: `GatehouseInputs["admin"]["lockUser"]`. Types only. */
export type GatehouseInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output, as the client receives it: `GatehouseOutputs["sessions"]["list"]`. Types only. */
export type GatehouseOutputs = inferRouterOutputs<AppRouter>;

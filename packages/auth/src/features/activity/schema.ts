import { z } from "zod";

/** A page request of a cursor-paged list; the cursor is opaque, handed back from the previous page. */
export const pageInput = z
  .strictObject({ cursor: z.string().min(1).max(2048).optional(), limit: z.number().int().min(1).max(100).default(20) })
  .default({ limit: 20 });

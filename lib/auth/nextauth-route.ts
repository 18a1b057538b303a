import NextAuth from "next-auth";
import { getAuthOptions } from "./auth-options";

type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;
let handler: Handler | undefined;

/**
 * next-auth's route handler (app/api/auth/[...nextauth]), built on the first request, not at import:
 * AUTH_SECRET and the database are read at run time, and a missing AUTH_SECRET fails here with a
 * message saying how to set it. Loaded by the Next.js app only.
 */
export const nextAuthRoute: Handler = (req, ctx) => {
  handler ??= NextAuth(getAuthOptions()) as unknown as Handler;
  return handler(req, ctx);
};

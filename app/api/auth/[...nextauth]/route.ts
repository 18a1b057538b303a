import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// Built on first request, not at import: AUTH_SECRET and the database are read at run time, and a
// missing AUTH_SECRET fails here with a message saying how to set it.
type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;
let handler: Handler | undefined;
const auth: Handler = (req, ctx) => {
  handler ??= NextAuth(getAuthOptions()) as unknown as Handler;
  return handler(req, ctx);
};

export { auth as GET, auth as POST };

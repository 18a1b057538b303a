/**
 * The console session cookie's names, apart from session-token.ts so that code the worker loads
 * (the OpenAPI document) can name the cookie without pulling in next-auth.
 */
export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-next-auth.session-token";

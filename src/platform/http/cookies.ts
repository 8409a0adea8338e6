// How Jointly's own cookies are set: made once by the composition root (app.ts) and used by
// sign-in, which sets and clears the session cookie.
export type SessionCookieOptions = { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean; signed: boolean };

/** TanStack Query keys of the signed-in user's own security data (shared by the enrolment and account pages); dropped with the session. */
export const MFA_QUERY_KEY = ['account', 'mfa'] as const;
export const SESSIONS_QUERY_KEY = ['account', 'sessions'] as const;

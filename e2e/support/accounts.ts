/** The accounts the global setup creates; the passwords only exist for this run's fresh data directory. */
export const ADMIN = { email: "admin@example.com", password: "e2e-admin-password-1" };
export const VIEWER = { email: "viewer@example.com", password: "e2e-viewer-password-1" };
/** no platform admin: once the invitations spec makes them owner of a project, adding people sends invitations */
export const OWNER = { email: "owner@example.com", password: "e2e-owner-password-1" };

/** A cluster of the default project that the access spec creates and later specs refer to. */
export const SHARED_CLUSTER = "shared";

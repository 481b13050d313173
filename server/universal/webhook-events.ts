/** The events a project webhook can subscribe to: the server validates subscriptions against them, the page offers them. */
export const WEBHOOK_EVENTS = ["vcluster.phase_changed", "vcluster.failed", "quota.threshold", "webhook.test"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

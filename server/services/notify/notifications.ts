/** In-app notifications: each belongs to one user, who alone can list and mark it. */
import type { Db, Tx } from "@/server/db/client";
import { audited } from "../audit/write-audit";
import type { ServiceContext } from "../service-context";
import { invalidField } from "@/server/universal/errors";
import type { Notification } from "@/server/generated/prisma/client";

export interface NewNotification {
  kind: string;
  title: string;
  body: string;
  link?: string | null;
  projectId?: string | null;
}

export type NotificationView = Pick<
  Notification,
  "id" | "kind" | "title" | "body" | "link" | "projectId" | "readAt" | "createdAt"
>;

const VIEW = {
  id: true,
  kind: true,
  title: true,
  body: true,
  link: true,
  projectId: true,
  readAt: true,
  createdAt: true,
} as const;

export async function createNotifications(
  tx: Tx,
  userIds: Iterable<string>,
  notification: NewNotification,
): Promise<number> {
  const data = [...new Set(userIds)].map((userId) => ({ userId, ...notification }));
  if (data.length === 0) return 0;
  const { count } = await tx.notification.createMany({ data });
  return count;
}

export async function unreadNotificationCount(db: Db, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null } });
}

export async function listNotifications(
  db: Db,
  userId: string,
  page: { unreadOnly: boolean; cursor?: string; limit: number },
): Promise<{ items: NotificationView[]; nextCursor: string | null; unreadCount: number }> {
  const where = { userId, ...(page.unreadOnly ? { readAt: null } : {}) };
  if (page.cursor && !(await db.notification.count({ where: { userId, id: page.cursor } }))) {
    throw invalidField("cursor", "must be the nextCursor of a previous page");
  }
  const rows = await db.notification.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: VIEW,
  });
  const items = rows.slice(0, page.limit);
  return {
    items,
    nextCursor: rows.length > page.limit ? items[items.length - 1].id : null,
    unreadCount: await unreadNotificationCount(db, userId),
  };
}

/**
 * Marks the caller's notifications read, audited. Ids that are not the caller's are skipped, not reported, so the
 * answer never confirms another user's notification.
 */
export function markNotificationsRead({ db, actor, auditActor }: ServiceContext, ids: string[], now = new Date()) {
  const event = {
    action: "notification.markRead",
    targetType: "notification",
    targetId: ids.join(",").slice(0, 200),
  } as const;
  return audited(db, auditActor, event, async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: { userId: actor.userId, id: { in: ids }, readAt: null },
      data: { readAt: now },
    });
    return { value: { marked: count }, audit: { after: { marked: count } } };
  });
}

export function markAllNotificationsRead({ db, actor, auditActor }: ServiceContext, now = new Date()) {
  const event = { action: "notification.markAllRead", targetType: "notification" } as const;
  return audited(db, auditActor, event, async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: { userId: actor.userId, readAt: null },
      data: { readAt: now },
    });
    return { value: { marked: count }, audit: { after: { marked: count } } };
  });
}

"use client";

import * as Popover from "@radix-ui/react-popover";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bell } from "lucide-react";
import Link from "next/link";
import { formatAge } from "./format";
import { useTRPC } from "./trpc";

/** Unread count polled every 15 s; opening the bell lists the latest and marks them read. */
export function NotificationBell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const unread = useQuery(trpc.notification.unreadCount.queryOptions(undefined, { refetchInterval: 15_000 }));
  const list = useQuery(trpc.notification.list.queryOptions({ unreadOnly: false, limit: 10 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notification.pathKey() });
  const markAll = useMutation(trpc.notification.markAllRead.mutationOptions({ onSuccess: () => void refresh() }));
  const count = unread.data?.unread ?? 0;
  return (
    <Popover.Root onOpenChange={(open) => open && void refresh()}>
      <Popover.Trigger
        aria-label={count ? `Notifications, ${count} unread` : "Notifications"}
        className="relative rounded-md p-1.5 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <Bell className="size-4" />
        {count > 0 && (
          <span
            data-testid="unread-count"
            className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] leading-4 font-semibold text-white"
          >
            {count > 99 ? "99+" : count}
          </span>
        )}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={6}
          className="z-50 w-80 max-w-[calc(100vw-1rem)] rounded-lg border border-slate-200 bg-white shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2 dark:border-slate-700">
            <span className="text-sm font-semibold">Notifications</span>
            <button
              type="button"
              disabled={count === 0 || markAll.isPending}
              onClick={() => markAll.mutate()}
              className="text-xs text-indigo-600 disabled:text-slate-400"
            >
              Mark all read
            </button>
          </div>
          <ul className="max-h-96 overflow-y-auto">
            {list.data?.items.length === 0 && (
              <li className="px-3 py-6 text-center text-sm text-slate-500">Nothing yet.</li>
            )}
            {list.data?.items.map((n) => {
              const body = (
                <>
                  <p className={`text-sm ${n.readAt ? "" : "font-semibold"}`}>{n.title}</p>
                  <p className="text-xs text-slate-500">
                    {n.body} · {formatAge(n.createdAt)} ago
                  </p>
                </>
              );
              return (
                <li key={n.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                  {n.link ? (
                    <Link href={n.link} className="block px-3 py-2 hover:bg-slate-50 dark:hover:bg-slate-800">
                      {body}
                    </Link>
                  ) : (
                    <div className="px-3 py-2">{body}</div>
                  )}
                </li>
              );
            })}
          </ul>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

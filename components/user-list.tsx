"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { formatDate } from "./format";
import { useTRPC } from "./trpc";
import { Button } from "./ui/button";

export function UserList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.user.list.queryOptions());
  const revoke = useMutation(
    trpc.user.revokeSessions.mutationOptions({
      onSuccess: ({ revoked }) => {
        toast.success(revoked === 1 ? "1 session ended" : `${revoked} sessions ended`);
        void queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  if (list.isPending) return <p className="text-sm text-slate-500">Loading users…</p>;
  if (list.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load users: {list.error.message}
      </p>
    );
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-slate-600 dark:text-slate-300">
        <tr>
          <th className="py-2">Email</th>
          <th className="py-2">Name</th>
          <th className="py-2">Role</th>
          <th className="py-2">Projects</th>
          <th className="py-2">Since</th>
          <th className="py-2">Sessions</th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((u) => (
          <tr key={u.id} className="border-t border-slate-200 dark:border-slate-800">
            <td className="py-2">{u.email}</td>
            <td className="py-2">{u.name ?? "—"}</td>
            <td className="py-2">
              {u.isPlatformAdmin ? "platform admin" : "user"}
              {u.disabled ? " (disabled)" : ""}
            </td>
            <td className="py-2">{u.projectCount}</td>
            <td className="py-2">{formatDate(u.createdAt)}</td>
            <td className="py-2">
              <span className="mr-2">{u.liveSessions}</span>
              {u.liveSessions > 0 && (
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={revoke.isPending}
                  onClick={() => {
                    if (window.confirm(`Sign ${u.email} out of every browser session?`))
                      revoke.mutate({ userId: u.id });
                  }}
                >
                  Sign out everywhere
                </Button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

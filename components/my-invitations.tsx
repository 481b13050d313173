"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { formatDate } from "./format";
import { useTRPC } from "./trpc";
import { Button } from "./ui/button";

/** Invitations to projects addressed to the signed-in person's email, to accept or decline. */
export function MyInvitations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.me.invitations.queryOptions());
  const settled = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.me.invitations.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.project.list.queryKey() });
  };
  const onError = (error: { message: string }) => toast.error(error.message);
  const accept = useMutation(
    trpc.me.acceptInvitation.mutationOptions({
      onSuccess: (r) => {
        settled();
        toast.success(`Joined as ${r.role ?? "member"}`);
      },
      onError,
    }),
  );
  const decline = useMutation(
    trpc.me.declineInvitation.mutationOptions({
      onSuccess: () => {
        settled();
        toast.success("Invitation declined");
      },
      onError,
    }),
  );
  if (invitations.isError)
    return <p className="text-sm text-red-600">Could not load your invitations: {invitations.error.message}</p>;
  if (!invitations.data?.length) return null;
  const busy = accept.isPending || decline.isPending;
  return (
    <section
      aria-label="Your invitations"
      className="mb-6 rounded-lg border border-indigo-200 bg-indigo-50 p-4 dark:border-indigo-900 dark:bg-indigo-950"
    >
      <h2 className="mb-2 text-sm font-semibold">Invitations waiting for you</h2>
      <ul className="divide-y divide-indigo-100 dark:divide-indigo-900">
        {invitations.data.map((invitation) => (
          <li key={invitation.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <p className="min-w-0 flex-1">
              <span className="font-medium">{invitation.projectName}</span> as {invitation.role}
              <span className="block text-xs text-slate-500">
                {invitation.invitedBy ? `from ${invitation.invitedBy} · ` : ""}expires{" "}
                {formatDate(invitation.expiresAt)}
              </span>
            </p>
            <Button
              size="sm"
              variant="primary"
              disabled={busy}
              onClick={() => accept.mutate({ invitationId: invitation.id })}
            >
              Accept
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={busy}
              onClick={() => decline.mutate({ invitationId: invitation.id })}
            >
              Decline
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

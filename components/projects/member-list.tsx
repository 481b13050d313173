"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import type { Role } from "../cluster-types";
import { formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { controlClass, Field, inputClass } from "../ui/field";

const ROLES: Role[] = ["OWNER", "MEMBER", "VIEWER"];

/** Invitations waiting for an answer; owners withdraw them. */
function PendingInvitations({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.project.invitations.queryOptions({ projectId }));
  const cancel = useMutation(
    trpc.project.cancelInvitation.mutationOptions({
      onSuccess: () =>
        void queryClient.invalidateQueries({ queryKey: trpc.project.invitations.queryKey({ projectId }) }),
      onError: (error) => toast.error(error.message),
    }),
  );
  if (invitations.isError)
    return <p className="text-sm text-red-600">Could not load invitations: {invitations.error.message}</p>;
  if (!invitations.data?.length) return null;
  return (
    <section aria-label="Pending invitations" className="space-y-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Pending invitations</h3>
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {invitations.data.map((invitation) => (
          <li key={invitation.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium">{invitation.email}</p>
              <p className="truncate text-xs text-slate-500">
                {invitation.role} · invited {formatDate(invitation.createdAt)}
                {invitation.invitedBy ? ` by ${invitation.invitedBy}` : ""} · expires {formatDate(invitation.expiresAt)}
              </p>
            </div>
            <Button
              size="sm"
              variant="ghost"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ projectId, invitationId: invitation.id })}
            >
              Withdraw
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Members and their roles; owners add (or invite), re-role and remove them. */
export function MemberList({ projectId, canManage }: { projectId: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.project.members.queryOptions({ projectId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.project.members.queryKey({ projectId }) });
  const onError = (error: { message: string }) => toast.error(error.message);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("MEMBER");
  const add = useMutation(
    trpc.project.addMember.mutationOptions({
      onSuccess: (result) => {
        setEmail("");
        if (result.status === "invited") {
          toast.success(`Invited ${result.email} as ${result.role}; they join when they accept`);
          void queryClient.invalidateQueries({ queryKey: trpc.project.invitations.queryKey({ projectId }) });
        } else {
          toast.success(`Added ${result.email} as ${result.role}`);
          void refresh();
        }
      },
    }),
  );
  const setMemberRole = useMutation(trpc.project.setRole.mutationOptions({ onSuccess: () => void refresh(), onError }));
  const remove = useMutation(trpc.project.removeMember.mutationOptions({ onSuccess: () => void refresh(), onError }));
  const onAdd = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ projectId, email, role });
  };
  const emailError =
    issuesOf(add.error).find((i) => i.field === "email")?.message ?? (add.isError ? add.error.message : undefined);

  return (
    <div className="space-y-3">
      {members.isError && <p className="text-sm text-red-600">Could not load members: {members.error.message}</p>}
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {members.data?.map((m) => (
          <li key={m.userId} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium">{m.name ?? m.email}</p>
              <p className="truncate text-xs text-slate-500">
                {m.email} · since {formatDate(m.since)}
              </p>
            </div>
            {canManage ? (
              <>
                <select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  onChange={(e) => setMemberRole.mutate({ projectId, userId: m.userId, role: e.target.value as Role })}
                  className="rounded-md border border-slate-300 bg-transparent px-2 py-1 text-xs dark:border-slate-700"
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
                <Button size="sm" variant="ghost" onClick={() => remove.mutate({ projectId, userId: m.userId })}>
                  Remove
                </Button>
              </>
            ) : (
              <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">{m.role}</span>
            )}
          </li>
        ))}
      </ul>
      {canManage && <PendingInvitations projectId={projectId} />}
      {canManage && (
        <form onSubmit={onAdd} className="grid grid-cols-[1fr_auto_auto] items-end gap-2">
          <Field label="Add by email" htmlFor="member-email" error={emailError}>
            <input
              id="member-email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={Boolean(emailError)}
              className={inputClass}
            />
          </Field>
          <select
            aria-label="Role of the new member"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            className={`${controlClass} w-auto`}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          <Button type="submit" variant="primary" disabled={add.isPending}>
            Add member
          </Button>
        </form>
      )}
    </div>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Modal } from "../ui/modal";

/** Live kubeconfig tokens of this cluster: your own, or everyone's for the project's owners, each revocable. */
export function KubeAccessList({ clusterId }: { clusterId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.vcluster.kubeAccess.queryOptions({ id: clusterId }));
  const [revoking, setRevoking] = useState<{ id: string; label: string } | null>(null);
  const revoke = useMutation(
    trpc.vcluster.revokeKubeAccess.mutationOptions({
      onSuccess: () => {
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.vcluster.kubeAccess.queryKey({ id: clusterId }) });
      },
    }),
  );
  if (!list.data?.length) return null;
  return (
    <div className="mt-4">
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Kubeconfig tokens</h3>
      <table className="w-full text-left text-sm" data-testid="kube-access">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="py-1 font-medium">Holder</th>
            <th className="py-1 font-medium">Token</th>
            <th className="py-1 font-medium">Last used</th>
            <th className="py-1" />
          </tr>
        </thead>
        <tbody>
          {list.data.map((row) => (
            <tr key={row.id} className="border-t border-slate-200 dark:border-slate-800">
              <td className="py-1.5 break-all">{row.mine ? `${row.email} (you)` : row.email}</td>
              <td className="py-1.5 font-mono text-xs">{row.prefix}…</td>
              <td className="py-1.5 text-xs">{row.lastUsedAt ? new Date(row.lastUsedAt).toLocaleString() : "never"}</td>
              <td className="py-1.5 text-right">
                <Button
                  size="sm"
                  onClick={() => setRevoking({ id: row.id, label: `${row.email}'s token ${row.prefix}…` })}
                >
                  Revoke
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Modal
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title="Revoke this token?"
        description={`${revoking?.label ?? ""} stops working at once, open watches included.`}
      >
        {revoke.isError && (
          <p role="alert" className="mb-3 text-sm text-red-600">
            {revoke.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => setRevoking(null)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={() => revoking && revoke.mutate({ id: clusterId, tokenId: revoking.id })}
            disabled={revoke.isPending}
            data-testid="confirm-revoke-token"
          >
            {revoke.isPending ? "Revoking…" : "Revoke"}
          </Button>
        </div>
      </Modal>
    </div>
  );
}

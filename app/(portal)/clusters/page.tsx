import { ClusterTable } from "@/components/clusters/cluster-table";

export default function ClustersPage() {
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Virtual clusters</h1>
      <ClusterTable />
    </section>
  );
}

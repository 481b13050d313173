import { ClusterList } from "@/components/cluster-list";

export default function ClustersPage() {
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Virtual clusters</h1>
      <ClusterList />
    </section>
  );
}

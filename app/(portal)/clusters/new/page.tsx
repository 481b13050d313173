import { CreateWizard } from "@/components/wizard/create-wizard";

export default function NewClusterPage() {
  return (
    <section className="mx-auto max-w-4xl">
      <h1 className="mb-4 text-2xl font-semibold">New virtual cluster</h1>
      <CreateWizard />
    </section>
  );
}

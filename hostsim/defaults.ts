import { arr, ensureObj, isObj, objs, str, type KObject, type Obj } from "./types";

/** Go defaulting treats zero values as unset, so an empty string is defaulted too. */
function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === "") o[key] = value;
}

function defaultContainer(c: Obj): void {
  const image = str(c.image);
  const tagged = /:[^/]+$/.test(image) && !image.endsWith(":latest");
  setDefault(c, "imagePullPolicy", tagged || image.includes("@") ? "IfNotPresent" : "Always");
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  setDefault(c, "resources", {});
  for (const p of objs(c.ports)) setDefault(p, "protocol", "TCP");
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  for (const c of [...objs(spec.containers), ...objs(spec.initContainers)]) defaultContainer(c);
}

export function defaultPodTemplate(o: KObject): void {
  const spec = ensureObj(o, ["spec"]);
  const tpl = spec.template;
  if (isObj(tpl) && isObj(tpl.spec)) defaultPodSpec(tpl.spec);
  setDefault(spec, "replicas", 1);
}

export const defaults = {
  namespace(o: KObject): void {
    o.metadata.labels = { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name ?? "" };
    const spec = ensureObj(o, ["spec"]);
    setDefault(spec, "finalizers", ["kubernetes"]);
    setDefault(ensureObj(o, ["status"]), "phase", "Active");
  },
  pod(o: KObject): void {
    const spec = ensureObj(o, ["spec"]);
    defaultPodSpec(spec);
    setDefault(spec, "serviceAccountName", "default");
    setDefault(spec, "enableServiceLinks", true);
    setDefault(spec, "priority", 0);
    const status = ensureObj(o, ["status"]);
    setDefault(status, "phase", "Pending");
    setDefault(status, "qosClass", "BestEffort");
  },
  service(o: KObject): void {
    const spec = ensureObj(o, ["spec"]);
    setDefault(spec, "type", "ClusterIP");
    setDefault(spec, "sessionAffinity", "None");
    setDefault(spec, "ipFamilies", ["IPv4"]);
    setDefault(spec, "ipFamilyPolicy", "SingleStack");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
    for (const p of objs(spec.ports)) {
      setDefault(p, "protocol", "TCP");
      setDefault(p, "targetPort", p.port);
    }
    setDefault(ensureObj(o, ["status"]), "loadBalancer", {});
  },
  secret(o: KObject): void {
    setDefault(o, "type", "Opaque");
    if (isObj(o.stringData)) {
      const data = ensureObj(o, ["data"]);
      for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(str(v)).toString("base64");
      delete o.stringData;
    }
  },
  pvc(o: KObject): void {
    const spec = ensureObj(o, ["spec"]);
    setDefault(spec, "volumeMode", "Filesystem");
    setDefault(ensureObj(o, ["status"]), "phase", "Pending");
  },
  deployment(o: KObject): void {
    defaultPodTemplate(o);
    const spec = ensureObj(o, ["spec"]);
    if (!isObj(spec.strategy) || !spec.strategy.type)
      spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } };
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "progressDeadlineSeconds", 600);
  },
  statefulSet(o: KObject): void {
    defaultPodTemplate(o);
    const spec = ensureObj(o, ["spec"]);
    setDefault(spec, "podManagementPolicy", "OrderedReady");
    setDefault(spec, "updateStrategy", { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "persistentVolumeClaimRetentionPolicy", { whenDeleted: "Retain", whenScaled: "Retain" });
    for (const t of objs(spec.volumeClaimTemplates)) setDefault(ensureObj(t, ["spec"]), "volumeMode", "Filesystem");
    if (arr(spec.volumeClaimTemplates).length === 0) delete spec.volumeClaimTemplates;
  },
};

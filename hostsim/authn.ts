import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

/** Who a request acts as, as k8s.io/apiserver/pkg/authentication/user.Info has it. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const systemMasters = "system:masters";
export const allAuthenticated = "system:authenticated";
export const allUnauthenticated = "system:unauthenticated";
export const anonymous = "system:anonymous";

/**
 * kubeadm's super-admin.conf identity (cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go: ClientName
 * "kubernetes-super-admin", Organizations [system:masters]); vcluster writes it as admin.conf and exports it in
 * Secret vc-NAME (pkg/certs/ensure.go generateCertificates).
 */
export const superAdmin = { name: "kubernetes-super-admin", groups: [systemMasters] };

/**
 * Adds system:authenticated unless the user is anonymous or already names either all-users group, as
 * k8s.io/apiserver/pkg/authentication/group/authenticated_group_adder.go does after every authenticator.
 */
function withAuthenticatedGroup(u: UserInfo): UserInfo {
  if (u.name === anonymous || u.groups.some((g) => g === allAuthenticated || g === allUnauthenticated)) return u;
  return { ...u, groups: [...u.groups, allAuthenticated] };
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * One API server's authenticators, in kube-apiserver's union order: a client certificate signed by the server's
 * client CA is its subject's CommonName as user and Organizations as groups
 * (k8s.io/apiserver/pkg/authentication/request/x509/x509.go CommonNameUserConversion), then a bearer token
 * from the server's static token list. Anything else is undefined, which the server answers 401.
 */
export function authenticate(req: IncomingMessage, tokens: ReadonlyMap<string, UserInfo>): UserInfo | undefined {
  const sock = req.socket as TLSSocket;
  if (sock.authorized) {
    const subject = sock.getPeerCertificate().subject;
    const cn = list(subject?.CN)[0];
    if (cn) return withAuthenticatedGroup({ name: cn, groups: list(subject?.O) });
  }
  const auth = req.headers.authorization ?? "";
  const token = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  const user = token ? tokens.get(token) : undefined;
  return user && withAuthenticatedGroup(user);
}

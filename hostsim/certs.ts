import { createPrivateKey, generateKeyPairSync, randomBytes, sign as signNative } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import forge from "node-forge";
import { superAdmin } from "./authn";

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

function newKeys(): { publicKey: forge.pki.PublicKey; keyPem: string } {
  // Native key generation: node-forge's pure-JS RSA takes seconds per key.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    keyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
}

/** Signs with Node's native RSA: node-forge's pure-JS signature costs ~100 ms of blocked event loop per certificate. */
function signCert(cert: forge.pki.Certificate, signerKeyPem: string): void {
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const { getTBSCertificate } = forge.pki as unknown as {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const tbs = Buffer.from(forge.asn1.toDer(getTBSCertificate(cert)).getBytes(), "binary");
  cert.signature = signNative("sha256", tbs, createPrivateKey(signerKeyPem)).toString("binary");
}

function baseCert(publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600 * 1000);
  return cert;
}

export function createCa(): KeyPair {
  const k = newKeys();
  const cert = baseCert(k.publicKey, 10);
  const subject = [{ name: "commonName", value: "hostsim-ca" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
  ]);
  signCert(cert, k.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

function signed(ca: KeyPair, subject: forge.pki.CertificateField[], extensions: object[], keys = newKeys()): KeyPair {
  const k = keys;
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCert(k.publicKey, 1);
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions(extensions);
  signCert(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

export function serverCert(ca: KeyPair, hosts: string[]): KeyPair {
  const altNames = hosts.map((h) =>
    /^[\d.]+$/.test(h) || h.includes(":") ? { type: 7, ip: h } : { type: 2, value: h },
  );
  return signed(
    ca,
    [{ name: "commonName", value: "hostsim-apiserver" }],
    [
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  );
}

let clientKeys: ReturnType<typeof newKeys> | null = null;

/**
 * kubeadm's super-admin client certificate (CN kubernetes-super-admin, O system:masters), which vcluster's
 * syncer issues from the virtual cluster's CA for Secret vc-NAME; only that CA's API server accepts it. Every
 * certificate is its own, but they share one key pair per process: an RSA key costs ~100 ms of CPU, which would
 * otherwise dominate a vcluster's start-up in the simulator.
 */
export function clientCert(ca: KeyPair): KeyPair {
  clientKeys ??= newKeys();
  return signed(
    ca,
    [
      { name: "commonName", value: superAdmin.name },
      ...superAdmin.groups.map((value) => ({ name: "organizationName", value })),
    ],
    [
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
    clientKeys,
  );
}

/** Whether a kept client certificate still names the super-admin (older data directories hold another subject). */
export function isSuperAdminCert(p: KeyPair): boolean {
  const subject = forge.pki.certificateFromPem(p.certPem).subject;
  return (
    subject.getField("CN")?.value === superAdmin.name &&
    subject.getField("O")?.value === superAdmin.groups[0] &&
    !subject.getField("OU")
  );
}

/** Reads a key pair kept in dir, or makes and keeps one. */
export function keptPair(
  dir: string,
  name: string,
  make: () => KeyPair,
  valid: (p: KeyPair) => boolean = () => true,
): KeyPair {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const p = { certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
    if (valid(p)) return p;
  }
  const p = make();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(certFile, p.certPem);
  fs.writeFileSync(keyFile, p.keyPem, { mode: 0o600 });
  return p;
}

export function certCoversHosts(p: KeyPair, hosts: string[]): boolean {
  const cert = forge.pki.certificateFromPem(p.certPem);
  const ext = cert.getExtension("subjectAltName") as { altNames?: { ip?: string; value?: string }[] } | undefined;
  const names = (ext?.altNames ?? []).map((a) => a.ip ?? a.value);
  return hosts.every((h) => names.includes(h)) && cert.validity.notAfter.getTime() > Date.now() + 24 * 3600 * 1000;
}

/** A kept random token (for Bearer auth). */
export function keptToken(dir: string, name: string): string {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const t = randomBytes(24).toString("hex");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, t, { mode: 0o600 });
  return t;
}

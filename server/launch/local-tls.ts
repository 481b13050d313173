/**
 * A certificate for the portal's own TLS when nothing in front of it terminates TLS (`npm start`, tests): kubectl
 * sends a bearer token only over TLS (client-go's clientcmd sets credentials for TLS connections only, see
 * kubernetes/kubectl#744), so the access gateway needs https even on a laptop. A local CA signs a serving
 * certificate for the given names; downloaded kubeconfigs carry the CA. Kept in `dir` across restarts.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import forge from "node-forge";

export interface LocalTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

function keys(): { publicKey: forge.pki.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    keyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
}

function certificate(
  publicKey: forge.pki.PublicKey,
  subject: string,
  issuer: string,
  years: number,
  extensions: object[],
  signerKeyPem: string,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: subject }]);
  cert.setIssuer([{ name: "commonName", value: issuer }]);
  cert.setExtensions(extensions);
  // Node's native signature: node-forge's pure-JS RSA blocks the event loop for a noticeable time
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const { getTBSCertificate } = forge.pki as unknown as {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  cert.signature = sign(
    "sha256",
    Buffer.from(forge.asn1.toDer(getTBSCertificate(cert)).getBytes(), "binary"),
    createPrivateKey(signerKeyPem),
  ).toString("binary");
  return forge.pki.certificateToPem(cert);
}

function covers(certPem: string, hosts: string[]): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  const san = cert.getExtension("subjectAltName") as { altNames?: { value?: string; ip?: string }[] } | null;
  const names = new Set((san?.altNames ?? []).flatMap((n) => [n.value, n.ip]).filter(Boolean));
  return cert.validity.notAfter.getTime() > Date.now() + 86_400_000 && hosts.every((h) => names.has(h));
}

export function ensureLocalTls(dir: string, hosts: string[]): LocalTls {
  const files: LocalTls = {
    certFile: path.join(dir, "portal.crt"),
    keyFile: path.join(dir, "portal.key"),
    caFile: path.join(dir, "ca.crt"),
  };
  const caKeyFile = path.join(dir, "ca.key");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(files.caFile) || !fs.existsSync(caKeyFile)) {
    const ca = keys();
    const pem = certificate(
      ca.publicKey,
      "open-vcluster local CA",
      "open-vcluster local CA",
      10,
      [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, digitalSignature: true, critical: true },
      ],
      ca.keyPem,
    );
    fs.writeFileSync(caKeyFile, ca.keyPem, { mode: 0o600 });
    fs.writeFileSync(files.caFile, pem);
    fs.rmSync(files.certFile, { force: true });
  }
  if (
    !fs.existsSync(files.certFile) ||
    !fs.existsSync(files.keyFile) ||
    !covers(fs.readFileSync(files.certFile, "utf8"), hosts)
  ) {
    const leaf = keys();
    const altNames = hosts.map((h) =>
      /^[\d.]+$/.test(h) || h.includes(":") ? { type: 7, ip: h } : { type: 2, value: h },
    );
    const pem = certificate(
      leaf.publicKey,
      "open-vcluster portal",
      "open-vcluster local CA",
      1,
      [
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames },
      ],
      fs.readFileSync(caKeyFile, "utf8"),
    );
    fs.writeFileSync(files.keyFile, leaf.keyPem, { mode: 0o600 });
    fs.writeFileSync(files.certFile, pem);
  }
  return files;
}

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "@/server/universal/errors";

/** AES-256-GCM with a random IV; the tag makes any tampering or a wrong key fail loudly instead of decrypting junk. */
export function seal(plaintext: string, keyHex: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(keyHex, "hex"), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
}

export function unseal(sealed: string, keyHex: string): string {
  const [version, iv, tag, data] = sealed.split(":");
  if (version !== "v1" || !iv || !tag || data === undefined)
    throw new AppError("INTERNAL", "sealed value has an unknown format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", Buffer.from(keyHex, "hex"), Buffer.from(iv, "base64"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new AppError(
      "INTERNAL",
      "sealed value could not be opened: HOST_CREDENTIALS_KEY differs from the one it was sealed with",
      { cause: error },
    );
  }
}

-- Rows written before the chain was keyed are version 1 (plain SHA-256); new rows default to version 2 (HMAC).
-- ADD COLUMN with a constant default rewrites no row, so the append-only trigger is not involved.
ALTER TABLE "AuditLog" ADD COLUMN     "chainVersion" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "AuditLog" ALTER COLUMN "chainVersion" SET DEFAULT 2;

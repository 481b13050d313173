-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "takeovers" INTEGER NOT NULL DEFAULT 0;

import type { InputHTMLAttributes } from "react";
import type { FieldError, FieldErrors } from "react-hook-form";

/** The first message anywhere under an error node (records like labels nest their messages per key). */
export function firstMessage(error: FieldError | FieldErrors | undefined): string | undefined {
  if (!error) return undefined;
  if (typeof error.message === "string" && error.message) return error.message;
  for (const [key, value] of Object.entries(error)) {
    if (key !== "ref" && key !== "types" && value && typeof value === "object") {
      const nested = firstMessage(value as FieldErrors);
      if (nested) return nested;
    }
  }
  return undefined;
}

export function Checkbox({
  id,
  label,
  help,
  ...props
}: { id: string; label: string; help?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label htmlFor={id} className="flex items-start gap-2 text-sm">
      <input id={id} type="checkbox" className="mt-0.5" {...props} />
      <span>
        <span className="font-medium">{label}</span>
        {help && <span className="block text-xs text-slate-500">{help}</span>}
      </span>
    </label>
  );
}

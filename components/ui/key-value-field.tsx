"use client";

import { useState } from "react";
import { inputClass } from "./field";

function toText(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

function toRecord(text: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const index = trimmed.indexOf("=");
    if (index === -1) record[trimmed] = "";
    else record[trimmed.slice(0, index).trim()] = trimmed.slice(index + 1).trim();
  }
  return record;
}

/** Labels or annotations as `key=value` lines; keeps the text as typed and reports the parsed map. */
export function KeyValueField({
  id,
  value,
  onChange,
  invalid,
  placeholder,
}: {
  id: string;
  value: Record<string, string>;
  onChange: (next: Record<string, string>) => void;
  invalid?: boolean;
  placeholder?: string;
}) {
  const [text, setText] = useState(() => toText(value));
  return (
    <textarea
      id={id}
      rows={3}
      value={text}
      placeholder={placeholder}
      aria-invalid={invalid}
      onChange={(e) => {
        setText(e.target.value);
        onChange(toRecord(e.target.value));
      }}
      className={`${inputClass} font-mono`}
    />
  );
}

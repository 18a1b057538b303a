"use client";

import { useState } from "react";

/** A secret shown once, with a copy button; the page warns that it cannot be shown again. */
export function SecretReveal({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="alert warn stack" role="status">
      <strong>{label}: copy it now. It is not shown again.</strong>
      <code className="secret" data-testid="secret-value">{secret}</code>
      <div className="row">
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? "Copied" : "Copy to clipboard"}
        </button>
        <button type="button" onClick={onDone}>I have stored it</button>
      </div>
    </div>
  );
}

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Session } from "../client/session.js";

/** Offline, reconnecting or stopped, and the last failed request. */
export function StatusBanner({ session }: { session: Session }) {
  const { link, notice } = session.model;
  const [, tick] = useState(0);
  useEffect(() => {
    if (link.kind !== "offline") return;
    const timer = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [link]);

  let line: JSX.Element | undefined;
  if (link.kind === "connecting") {
    line = <div class="status connecting">Connecting…</div>;
  } else if (link.kind === "offline") {
    const seconds = Math.max(0, Math.ceil((link.retryAt - Date.now()) / 1_000));
    line = (
      <div class="status offline" data-testid="status-offline">
        Offline ({link.reason}). Retrying{seconds ? ` in ${seconds} s` : "…"}{" "}
        <button class="link" onClick={() => session.conn.reconnectNow()}>
          Retry now
        </button>
      </div>
    );
  } else if (link.kind === "stopped") {
    line = (
      <div class="status offline">
        {link.reason}{" "}
        <button class="link" onClick={() => session.conn.reconnectNow()}>
          Connect here
        </button>
      </div>
    );
  }
  return (
    <div class="banner" data-testid="status" data-link={link.kind}>
      {line}
      {notice && (
        <div
          class="status notice"
          data-testid="notice"
          onClick={() => session.model.say(undefined)}
        >
          {notice} ✕
        </div>
      )}
    </div>
  );
}

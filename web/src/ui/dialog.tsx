import type { ComponentChildren } from "preact";

/** A modal card; a click outside it closes it. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  return (
    <div class="backdrop" onClick={props.onClose}>
      <div class="dialog" role="dialog" onClick={(e) => e.stopPropagation()}>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** "bob, carol dave" -> ["bob", "carol", "dave"] */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

import { useEffect, useState } from "preact/hooks";
import type { Emitter } from "../state/emitter.js";

/** Re-renders the component whenever the model says it changed. */
export function useModel(model: Emitter): void {
  const [, setTick] = useState(0);
  useEffect(() => model.subscribe(() => setTick((n) => n + 1)), [model]);
}

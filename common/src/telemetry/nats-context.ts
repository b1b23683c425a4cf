import {
  context,
  propagation,
  SpanKind,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { parleyTracer } from "./instruments.js";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";

/**
 * The trace context travels in NATS message headers as W3C traceparent
 * (and tracestate), so one message's spans form one trace across the
 * JetStream hops: publish, fanout, history, push.
 */
const setter = {
  set(carrier: MsgHdrs, key: string, value: string) {
    carrier.set(key, value);
  },
};

const getter = {
  get(carrier: MsgHdrs, key: string) {
    return carrier.get(key) || undefined;
  },
  keys(carrier: MsgHdrs) {
    return carrier.keys();
  },
};

/**
 * Writes the active context into `into` (new headers when absent) and
 * answers the headers, or `into` unchanged when the active span is not
 * sampled, so untraced messages carry no extra bytes.
 */
export function withTraceHeaders(
  into?: MsgHdrs,
  from: Context = context.active(),
): MsgHdrs | undefined {
  const sampled = trace.getSpanContext(from)?.traceFlags ?? TraceFlags.NONE;
  if ((sampled & TraceFlags.SAMPLED) === 0) return into;
  const fields: Record<string, string> = {};
  propagation.inject(from, fields);
  if (Object.keys(fields).length === 0) return into;
  const target = into ?? natsHeaders();
  for (const [key, value] of Object.entries(fields)) setter.set(target, key, value);
  return target;
}

/**
 * The context a message's headers carry, or undefined when they carry no
 * trace: work on untraced messages starts no trace of its own, so that
 * consumers never make orphan roots of what a sampler dropped upstream.
 */
export function contextOf(headers: MsgHdrs | undefined): Context | undefined {
  if (!headers?.get("traceparent")) return undefined;
  return propagation.extract(context.active(), headers, getter);
}

/**
 * A span, child of the trace the message carries, for work done on it;
 * undefined when the message carries none. The caller ends it.
 */
export function startMessageSpan(
  name: string,
  headers: MsgHdrs | undefined,
  attributes?: Attributes,
  kind: SpanKind = SpanKind.CONSUMER,
): { span: Span; context: Context } | undefined {
  const parent = contextOf(headers);
  if (!parent) return undefined;
  const span = parleyTracer().startSpan(name, { kind, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

import {
  credentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from "@grpc/grpc-js";
import { errorCodeOfGrpc, ParleyError } from "../errors.js";

/** A ts-proto generated client constructor. */
export type ClientConstructor<C extends Client> = new (
  address: string,
  creds: ChannelCredentials,
  options?: Record<string, unknown>,
) => C;

/**
 * Creates a client whose channel reconnects in the background, so a restart
 * of the callee shows up as UNAVAILABLE on calls, not as a crash.
 */
export function createClient<C extends Client>(ctor: ClientConstructor<C>, address: string): C {
  return new ctor(address, credentials.createInsecure(), {
    "grpc.keepalive_time_ms": 30_000,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
  });
}

/** The callback form of a ts-proto unary method. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

/**
 * Calls a unary method with a deadline and turns a failed status into a
 * ParleyError carrying the catalogue code and the callee's reason.
 */
export function callUnary<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const options = { deadline: Date.now() + deadlineMs };
    method.call(client, request, new Metadata(), options, (err, response) => {
      if (err) {
        const code = errorCodeOfGrpc(err.code);
        reject(new ParleyError(code, err.details || err.message, { cause: err }));
      } else {
        resolve(response);
      }
    });
  });
}

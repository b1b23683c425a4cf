import type { ServerWritableStream } from "@grpc/grpc-js";
import { failStream, ParleyError, unary, type GrpcService, type Logger } from "@parley/common";
import {
  PresenceServiceService,
  type GetPresenceRequest,
  type GetPresenceResponse,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
  type WatchPresenceRequest,
  type WatchPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import { validateReport, validateUserIds } from "../domain/report.js";
import type { EdgeReports } from "../presence/edge-reports.js";
import type { PresenceReader } from "../presence/presence-reader.js";
import { deviceEvents } from "../metrics.js";
import type { PresenceWatches } from "./presence-watches.js";

export interface PresenceServiceDeps {
  reports: EdgeReports;
  reader: PresenceReader;
  watches: PresenceWatches;
  maxEventsPerReport: number;
  maxUsersPerCall: number;
  leaseTtlMs: number;
  log: Logger;
}

/** A store failure becomes UNAVAILABLE; a ParleyError passes unchanged. */
function storeFailure(reason: string) {
  return (err: unknown): never => {
    throw err instanceof ParleyError ? err : ParleyError.unavailable(reason, err);
  };
}

/** parley.presence.v1.PresenceService. */
export function presenceService(deps: PresenceServiceDeps): GrpcService {
  const { log } = deps;

  const reportPresence = async (
    request: ReportPresenceRequest,
  ): Promise<ReportPresenceResponse> => {
    const report = validateReport(request, deps.maxEventsPerReport);
    const snapshotRequired = await deps.reports
      .report(report)
      .catch(storeFailure("the presence store cannot be written; send the events again"));
    deviceEvents.add(request.events.length);
    return { snapshotRequired, leaseTtlMs: deps.leaseTtlMs };
  };

  const getPresence = async (request: GetPresenceRequest): Promise<GetPresenceResponse> => {
    const userIds = validateUserIds(request.userIds, deps.maxUsersPerCall);
    const users = await deps.reader
      .read(userIds)
      .catch(storeFailure("presence cannot be read now; retry"));
    return { users };
  };

  const watchPresence = (
    call: ServerWritableStream<WatchPresenceRequest, WatchPresenceResponse>,
  ) => {
    const start = async () => {
      const userIds = validateUserIds(call.request.userIds, deps.maxUsersPerCall);
      await deps.watches.serve(call, userIds);
    };
    start().catch((err: unknown) => failStream(call, "WatchPresence", err, log));
  };

  return {
    name: "parley.presence.v1.PresenceService",
    definition: PresenceServiceService,
    implementation: {
      reportPresence: unary("ReportPresence", log, reportPresence),
      getPresence: unary("GetPresence", log, getPresence),
      watchPresence,
    },
  };
}

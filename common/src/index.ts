export { loadConfig, ConfigError, type ConfigSpec } from "./config.js";
export { intIn, hostPort } from "./validators.js";
export { createLogger, type Logger } from "./logger.js";
export { ErrorCode, ParleyError, grpcStatusOf, isErrorCode } from "./errors.js";
export {
  isValidId,
  requireId,
  directConversationId,
  groupConversationId,
  isGroupConversationId,
  isValidConversationId,
  nameBasedUuid,
  isMediaId,
  isSha256Hex,
} from "./ids.js";
export { groupTitleProblem, MAX_GROUP_TITLE_CHARS } from "./group-title.js";
export { Shutdown } from "./shutdown.js";
export { commonSettings, natsSettings, type NatsSettings } from "./settings.js";
export { connectNats } from "./nats/connection.js";
export {
  StreamPublisher,
  StreamPublishError,
  type StreamAck,
  type StreamPublishOptions,
} from "./nats/stream-publisher.js";
export {
  EPHEMERAL_HEADER,
  Topology,
  ensureTopology,
  warnOnDrift,
  type DriftListener,
  type TopologyOptions,
} from "./nats/topology.js";
export { topologyFromSettings } from "./nats/from-settings.js";
export { startGrpcServer, type GrpcServerHandle, type GrpcService } from "./grpc/server.js";
export { unary, failStream, describeFailure, ERROR_CODE_METADATA } from "./grpc/handler.js";
export { createClient, callUnary, type UnaryMethod } from "./grpc/client.js";
export { signToken, verifyToken, INSECURE_DEV_TOKEN_SECRET, type Identity } from "./auth/token.js";
export { runService, type BaseConfig } from "./run-service.js";
export {
  MembershipCache,
  type Membership,
  type MembersSource,
  type MembershipCacheOptions,
} from "./membership/membership-cache.js";
export {
  MembershipAnnouncements,
  type MembershipListener,
} from "./membership/membership-announcements.js";
export { withTraceHeaders, contextOf, startMessageSpan } from "./telemetry/nats-context.js";
export { parleyTracer, parleyMeter } from "./telemetry/instruments.js";
export { ConsumerGauges } from "./telemetry/consumer-gauges.js";

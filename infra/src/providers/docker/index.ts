export {
  DATABASE_ALIAS as DOCKER_DATABASE_ALIAS,
  DATABASE_PORT as DOCKER_DATABASE_PORT,
  DEFAULT_RUNTIME_IMAGE,
  type DockerCommands,
  DockerProvider,
  type DockerProviderOptions,
  type ServerPorts as DockerServerPorts,
  tangoCommands as dockerTangoCommands,
} from "./docker-provider.ts";
export { Label as DockerLabel, removeRun as removeDockerRun, sweepOrphans as sweepDockerOrphans } from "./labels.ts";

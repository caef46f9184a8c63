export { formatEvents, namespaceFor, nodeAddressOf, usedNodePorts } from "./cluster.ts";
export {
  type Command,
  helmBinary,
  helmDependencyBuild,
  helmUninstall,
  helmUpgradeInstall,
  imageLoadCommand,
  pullPolicyFor,
} from "./helm.ts";
export {
  DEFAULT_RUNTIME_IMAGE as K8S_DEFAULT_IMAGE,
  EXAMPLES_CHART_DIR,
  expectedPods,
  imageValues,
  K8sProvider,
  type K8sProviderOptions,
  optionsFromEnv,
  RELEASE,
} from "./k8s-provider.ts";
export { ClusterKind, type ClusterTarget, classifyCluster, type KubeConfigOptions, loadClusterTarget } from "./kubeconfig.ts";
export { jobVerdict, podVerdict, releaseVerdict } from "./readiness.ts";
export {
  type AddressPlan,
  allocateNodePorts,
  dependenciesOf,
  deviceServersFromDsConfig,
  planAddresses,
  releaseValues,
  serverKey,
} from "./values.ts";

import { ensureGoTool, goToolPath, type GoTool } from './goTool';

/** The kubeconform version the chart's rendered manifests are validated with (a Go module version of github.com/yannh/kubeconform). */
export const KUBECONFORM_VERSION = '0.7.0';

const kubeconform: GoTool = {
  name: 'kubeconform',
  module: 'github.com/yannh/kubeconform/cmd/kubeconform',
  version: KUBECONFORM_VERSION,
  ldflags: `-X main.version=v${KUBECONFORM_VERSION}`,
  versionArgs: ['-v'],
  expectedVersion: `v${KUBECONFORM_VERSION}`,
};

/** Where the pinned kubeconform is installed (`.tools/kubeconform-<version>/kubeconform`). */
export const kubeconformPath = goToolPath(kubeconform);

/** Finds or builds the pinned kubeconform (`go install`) into `.tools/`. */
export function ensureKubeconform(log: (line: string) => void): Promise<{ path: string }> {
  return ensureGoTool(kubeconform, log);
}

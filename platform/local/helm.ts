import { ensureGoTool, goToolPath, type GoTool } from './goTool';

/** The Helm version the chart is rendered with (a Go module version of helm.sh/helm/v3). */
export const HELM_VERSION = '3.22.0';

const helm: GoTool = {
  name: 'helm',
  module: 'helm.sh/helm/v3/cmd/helm',
  version: HELM_VERSION,
  // A `go install` build reports only "v3.22"; the release build stamps the full version the same way.
  ldflags: `-X helm.sh/helm/v3/internal/version.version=v${HELM_VERSION}`,
  versionArgs: ['version', '--short'],
  expectedVersion: `v${HELM_VERSION}`,
};

/** Where the pinned Helm is installed (`.tools/helm-<version>/helm`). */
export const helmPath = goToolPath(helm);

/** Finds or builds the pinned Helm (`go install`, about a minute cold) into `.tools/`. */
export function ensureHelm(log: (line: string) => void): Promise<{ path: string }> {
  return ensureGoTool(helm, log);
}

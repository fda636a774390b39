// The environment of the detached port-forward. It outlives `pulumi` (up to
// its maximum lifetime), so it must not keep what `pulumi` has in its
// environment: the decrypted stack config (PULUMI_CONFIG), access tokens,
// cloud credentials of other tools. It gets what a process needs to run and
// to reach the API server (PATH, HOME, locale, proxies, extra CAs), plus,
// only when the kubeconfig authenticates through an exec plugin, the
// variables of that plugin's cloud (the plugin runs in the daemon on every
// token refresh).

const BASE = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "TMP",
  "TEMP",
  "SYSTEMROOT",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "NODE_EXTRA_CA_CERTS",
];

/** Variables an exec credential plugin reads, by the plugin command's base name. */
const PLUGIN_VARIABLES: Record<string, RegExp> = {
  aws: /^AWS_/,
  "aws-iam-authenticator": /^AWS_/,
  "gke-gcloud-auth-plugin": /^(CLOUDSDK_|GOOGLE_APPLICATION_CREDENTIALS$)/,
  gcloud: /^(CLOUDSDK_|GOOGLE_APPLICATION_CREDENTIALS$)/,
  kubelogin: /^(AZURE_|AAD_)/,
};

/**
 * The daemon's environment: the base variables, plus those of the exec
 * plugins named (base names or paths of the kubeconfig's `exec.command`).
 */
export function forwarderEnvironment(
  env: NodeJS.ProcessEnv,
  execCommands: readonly string[],
): Record<string, string> {
  const plugins = execCommands
    .map((c) =>
      c
        .split(/[\\/]/)
        .pop()!
        .replace(/\.exe$/i, ""),
    )
    .map((c) => PLUGIN_VARIABLES[c])
    .filter((r): r is RegExp => r !== undefined);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (BASE.includes(k) || plugins.some((r) => r.test(k))) out[k] = v;
  }
  return out;
}

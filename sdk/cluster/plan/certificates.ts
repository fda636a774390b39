// Lifetimes of the generated TLS material. @pulumi/tls renews a certificate
// only when the program runs: from `earlyRenewalHours` before expiry, the
// provider's plan marks it for replacement, so `pulumi preview` shows it and
// `pulumi up` issues a new one. Nothing renews it between runs. Pure.
import type { TlsArgs } from "../args";
import { Issues, show } from "../errors";

/** The generated CA: 10 years, never renewed early (a new CA changes what every client trusts). */
export const CA_VALIDITY_HOURS = 10 * 365 * 24;
export const DEFAULT_VALIDITY_HOURS = 2 * 365 * 24;
export const DEFAULT_EARLY_RENEWAL_HOURS = 30 * 24;

export interface CertificateLifetime {
  validityHours: number;
  earlyRenewalHours: number;
}

function hours(value: unknown, path: string, issues: Issues): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > CA_VALIDITY_HOURS) {
    issues.add(
      path,
      `must be a whole number of hours from 1 to ${CA_VALIDITY_HOURS} (the generated CA's 10 years: a certificate cannot outlive its CA), got ${show(value)}.`,
    );
    return undefined;
  }
  return value;
}

/** The server certificate's validity and renewal window, checked against each other and the CA. */
export function planCertificateLifetime(tls: TlsArgs, tlsOn: boolean, issues: Issues): CertificateLifetime {
  for (const k of ["validityHours", "earlyRenewalHours"] as const) {
    if (tls[k] === undefined) continue;
    if (tls.secretName !== undefined)
      issues.add(
        `tls.${k}`,
        "applies to the generated certificate only, not with tls.secretName (renew your own certificate yourself): remove one.",
      );
    else if (!tlsOn)
      issues.add(
        `tls.${k}`,
        "is set but neither tls.client nor tls.routes is true: enable one or remove it.",
      );
  }
  const validity = hours(tls.validityHours, "tls.validityHours", issues);
  const early = hours(tls.earlyRenewalHours, "tls.earlyRenewalHours", issues);
  const result = {
    validityHours: validity ?? DEFAULT_VALIDITY_HOURS,
    earlyRenewalHours: early ?? DEFAULT_EARLY_RENEWAL_HOURS,
  };
  if (result.earlyRenewalHours >= result.validityHours)
    issues.add(
      "tls.earlyRenewalHours",
      `${result.earlyRenewalHours} must be less than tls.validityHours (${result.validityHours}), or every run would replace the certificate.`,
    );
  return result;
}

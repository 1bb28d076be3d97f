// Kubernetes name rules (k8s.io/apimachinery pkg/util/validation/validation.go). Each function returns
// the API server's detail messages, empty when the value is valid.

/** RFC 1123 label, as Kubernetes spells it: lowercase alphanumerics and '-', alphanumeric at both ends. */
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const dns1123LabelPattern = new RegExp(`^${DNS1123_LABEL}$`);
const dns1123SubdomainPattern = new RegExp(`^${DNS1123_SUBDOMAIN}$`);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** IANA_SVC_NAME (RFC 6335 section 5.1): service names are at most 15 characters. */
export const PORT_NAME_MAX_LENGTH = 15;

export function maxLengthError(max: number): string {
  return `must be no more than ${max} characters`;
}

/** Kubernetes' RegexError: the message, the examples, then the pattern used. */
export function regexError(message: string, pattern: string, examples: readonly string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  const listed = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${listed}regex used for validation is '${pattern}')`;
}

/** metadata.name of most namespaced objects, NetworkPolicy included (NameIsDNSSubdomain). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLengthError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainPattern.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        ['example.com'],
      ),
    );
  }
  return errors;
}

/** Namespace names (ValidateNamespaceName = NameIsDNSLabel). */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLengthError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelPattern.test(value)) {
    // Kubernetes singles out the common mistake of a dotted name: valid as a subdomain, not as a label.
    if (dns1123SubdomainPattern.test(value)) errors.push('must not contain dots');
    else {
      errors.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL,
          ['my-name', '123-abc'],
        ),
      );
    }
  }
  return errors;
}

/**
 * Named container ports (IsValidPortName): lowercase only although RFC 6335 is case-insensitive,
 * because Kubernetes compares port names byte for byte.
 */
export function portNameErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > PORT_NAME_MAX_LENGTH) errors.push(maxLengthError(PORT_NAME_MAX_LENGTH));
  if (!/^[-a-z0-9]+$/.test(value)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(value)) errors.push('must contain at least one letter (a-z)');
  if (value.includes('--')) errors.push('must not contain consecutive hyphens');
  if (value.startsWith('-') || value.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}

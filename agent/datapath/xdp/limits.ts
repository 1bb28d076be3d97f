// Limits of the host interfaces' XDP programs, each with its reason.

/**
 * Match terms per interface: each term is one bit of the u64 the source tries hold, so one lookup
 * answers for every term. Untracked rules are blocklists (a few CIDR sets, a port or two); a
 * larger list belongs in a network set, which is one term whatever its size.
 */
export const XDP_MAX_TERMS = 64;

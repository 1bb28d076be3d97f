/** The API group and version of every Calico kind accepted here. */
export const CALICO_API_VERSION = 'projectcalico.org/v3';

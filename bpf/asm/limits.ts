// Limits of the instruction set and of the kernel's loader, as named constants with the reason.

/** Size of one instruction slot in bytes (struct bpf_insn). ld_imm64 uses two slots. */
export const INSN_SIZE = 8;

/**
 * Maximum program length in slots for a loader with CAP_BPF/CAP_SYS_ADMIN
 * (BPF_COMPLEXITY_LIMIT_INSNS, since Linux 5.2; unprivileged loaders get BPF_MAXINSNS = 4096).
 * The verifier also stops after processing this many instructions along all paths, so a program
 * near this length must be mostly straight-line.
 */
export const KERNEL_MAX_PROGRAM_SLOTS = 1_000_000;

import { readCpuInfo } from './cpu-info.js';

/**
 * Whether onnxruntime's fast int8 product (u8 activations × s8 weights) can saturate on this CPU.
 * On x64 without a VNNI dot-product instruction (SSE4.1, AVX2, AVX-512 without VNNI) it adds pairs
 * of products in 16-bit lanes that clip, which moves scores (docs/behaviour.md); with AVX-512 VNNI
 * or AVX-VNNI it adds them in 32-bit lanes, exactly, and so do Arm's dot-product kernels. The
 * flags come from Linux's /proc/cpuinfo; an x64 CPU it cannot read (macOS, Windows) counts as
 * saturating, the safe guess.
 */
export function fastInt8KernelSaturates(cpuInfo: string = readCpuInfo(), arch: string = process.arch): boolean {
  if (arch !== 'x64') return false;
  return !/^flags\s*:.*\b(avx512_vnni|avx_vnni)\b/m.test(cpuInfo);
}

package io.qreg.engine.quant.weightonly;

import java.util.Arrays;

/**
 * A [K, N] float weight in com.microsoft {@code MatMulNBits} layout.
 *
 * <p>Per the contrib op spec: B is uint8 {@code [N, n_blocks, blob_size]} with
 * {@code n_blocks = ceil(K / block_size)} and {@code blob_size = block_size · bits / 8}, i.e. each output
 * column n is stored as a row, its K elements split into blocks along K; 4-bit codes are packed two per
 * byte, the lower K index in the low nibble. {@code scales} are float {@code [N · n_blocks]}, row n's
 * blocks together. {@code zero_points} are uint8 with the same per-row packing ({@code ceil(n_blocks ·
 * bits / 8)} bytes per row, low nibble first); when absent the kernel uses {@code 2^(bits-1)} (8 or
 * 128), which is what symmetric quantization stores. Dequantization is
 * {@code (code − zero_point) · scale}. A K that is not a multiple of the block size leaves the last
 * block short; its padding codes equal the zero point, so they dequantize to 0 and never meet A.
 *
 * <p>The spec also lets zero_points be float {@code [N · n_blocks]}, the scales' type, unpacked: then
 * dequantization is {@code (code − zero_point) · scale} with a fractional zero point (what HQQ optimises;
 * ONNX Runtime's CPU kernel takes it). At most one of {@code zeroPoints} and {@code floatZeroPoints} is set.
 *
 * @param zeroPoints packed zero points, or null when symmetric or when the zero points are float
 * @param floatZeroPoints float zero points {@code [N · n_blocks]}, or null for uint8 or none
 */
public record BlockQuantizedWeight(int k, int n, int bits, int blockSize, byte[] packed, float[] scales,
        byte[] zeroPoints, float[] floatZeroPoints) {

    public BlockQuantizedWeight {
        if (zeroPoints != null && floatZeroPoints != null) {
            throw new IllegalArgumentException("zero points are either uint8 codes or float, not both");
        }
    }

    /** Codes with uint8 zero points (or none): the form round-to-nearest writes. */
    public BlockQuantizedWeight(int k, int n, int bits, int blockSize, byte[] packed, float[] scales,
            byte[] zeroPoints) {
        this(k, n, bits, blockSize, packed, scales, zeroPoints, null);
    }

    public int blocks() {
        return blocks(k, blockSize);
    }

    public int blobSize() {
        return blobSize(blockSize, bits);
    }

    /** {@code n_blocks}: the blocks a column of K elements is split into, the last one possibly short. */
    public static int blocks(int k, int blockSize) {
        return (k + blockSize - 1) / blockSize;
    }

    /** {@code blob_size}: the bytes of one block's packed codes. */
    public static int blobSize(int blockSize, int bits) {
        return blockSize * bits / 8;
    }

    /** The bytes of one column's packed uint8 zero points. */
    static int zeroPointRowBytes(int blocks, int bits) {
        return (blocks * bits + 7) / 8;
    }

    public long bytes() {
        return packed.length + 4L * scales.length + (zeroPoints == null ? 0 : zeroPoints.length)
                + (floatZeroPoints == null ? 0 : 4L * floatZeroPoints.length);
    }

    /** The float value the kernel computes for element [row, col]: {@code (code − zero_point) · scale}. */
    public float dequantize(int row, int col) {
        int b = row / blockSize;
        int block = col * blocks() + b;
        int inBlock = row - b * blockSize;
        int code;
        int at = block * blobSize();
        if (bits == 8) {
            code = packed[at + inBlock] & 0xFF;
        } else {
            int two = packed[at + inBlock / 2] & 0xFF;
            code = inBlock % 2 == 0 ? two & 0x0F : two >>> 4;
        }
        float zp;
        if (floatZeroPoints != null) {
            zp = floatZeroPoints[block];
        } else if (zeroPoints == null) {
            zp = 1 << (bits - 1);
        } else {
            int rowBytes = zeroPointRowBytes(blocks(), bits);
            int z = zeroPoints[col * rowBytes + (bits == 8 ? b : b / 2)] & 0xFF;
            zp = bits == 8 ? z : (b % 2 == 0 ? z & 0x0F : z >>> 4);
        }
        return (code - zp) * scales[block];
    }

    /** The whole dequantized weight, row-major [K, N]. */
    public float[] dequantize() {
        float[] out = new float[k * n];
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < n; col++) {
                out[row * n + col] = dequantize(row, col);
            }
        }
        return out;
    }

    /**
     * Symmetric takes the element of largest magnitude, {@code m}, and sets {@code scale = m / −2^(bits-1)}
     * (like ONNX Runtime's block quantizer), so m maps exactly to code 0 and the full code range is used;
     * asymmetric spans [min(block, 0), max(block, 0)] over [0, 2^bits − 1].
     */
    public static BlockQuantizedWeight quantize(float[] weight, int k, int n, int bits, int blockSize,
            boolean symmetric) {
        int blocks = blocks(k, blockSize);
        int blob = blobSize(blockSize, bits);
        int maxCode = (1 << bits) - 1;
        int mid = 1 << (bits - 1);
        byte[] packed = new byte[n * blocks * blob];
        float[] scales = new float[n * blocks];
        int zpRowBytes = zeroPointRowBytes(blocks, bits);
        byte[] zeroPoints = symmetric ? null : new byte[n * zpRowBytes];
        int[] codes = new int[blockSize];
        for (int col = 0; col < n; col++) {
            for (int b = 0; b < blocks; b++) {
                int start = b * blockSize;
                int end = Math.min(k, start + blockSize);
                float scale;
                int zp;
                if (symmetric) {
                    float extreme = 0f;
                    for (int i = start; i < end; i++) {
                        float v = weight[i * n + col];
                        if (Math.abs(v) > Math.abs(extreme)) {
                            extreme = v;
                        }
                    }
                    scale = extreme == 0f ? 1f : extreme / -mid;
                    zp = mid;
                } else {
                    float min = 0f;
                    float max = 0f;
                    for (int i = start; i < end; i++) {
                        float v = weight[i * n + col];
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                    scale = max == min ? 1f : (max - min) / maxCode;
                    zp = (int) Math.max(0, Math.min(maxCode, Math.round(-min / scale)));
                }
                scales[col * blocks + b] = scale;
                for (int i = 0; i < blockSize; i++) {
                    int kk = start + i;
                    codes[i] = kk < end
                            ? (int) Math.max(0, Math.min(maxCode, Math.round(weight[kk * n + col] / scale) + zp))
                            : zp;
                }
                int offset = (col * blocks + b) * blob;
                pack(codes, bits, packed, offset);
                if (zeroPoints != null) {
                    packZeroPoint(zp, bits, zeroPoints, col * zpRowBytes, b);
                }
            }
        }
        return new BlockQuantizedWeight(k, n, bits, blockSize, packed, scales, zeroPoints);
    }

    /**
     * Stores codes already on a trained grid (a QAT import) without re-quantizing: {@code codes} are unsigned
     * (0..2^bits − 1) in row-major [K, N] order, and each output column keeps its one scale and zero point,
     * repeated over its blocks, so {@code (code − zero_point) · scale} is exactly the trained value. Zero points
     * equal to the kernel's default {@code 2^(bits-1)} everywhere are left out.
     */
    public static BlockQuantizedWeight ofColumnGrid(int[] codes, int k, int n, int bits, int blockSize,
            float[] columnScales, int[] columnZeroPoints) {
        int blocks = blocks(k, blockSize);
        int mid = 1 << (bits - 1);
        boolean defaultZeroPoints = Arrays.stream(columnZeroPoints).allMatch(z -> z == mid);
        float[] scales = new float[n * blocks];
        int[] zeroPoints = defaultZeroPoints ? null : new int[n * blocks];
        for (int col = 0; col < n; col++) {
            Arrays.fill(scales, col * blocks, (col + 1) * blocks, columnScales[col]);
            if (zeroPoints != null) {
                Arrays.fill(zeroPoints, col * blocks, (col + 1) * blocks, columnZeroPoints[col]);
            }
        }
        return ofBlocks(codes, k, n, bits, blockSize, scales, zeroPoints);
    }

    /**
     * Packs codes an algorithm already chose (GPTQ): {@code codes} unsigned, row-major [K, N];
     * {@code scales} and {@code zeroPoints} per output column and block ({@code [N · n_blocks]}, row n's blocks
     * together), zeroPoints null when symmetric (the kernel's default 2^(bits-1)).
     */
    public static BlockQuantizedWeight ofBlocks(int[] codes, int k, int n, int bits, int blockSize, float[] scales,
            int[] zeroPoints) {
        int blocks = blocks(k, blockSize);
        int blob = blobSize(blockSize, bits);
        int mid = 1 << (bits - 1);
        int zpRowBytes = zeroPointRowBytes(blocks, bits);
        byte[] packed = new byte[n * blocks * blob];
        byte[] packedZeroPoints = zeroPoints == null ? null : new byte[n * zpRowBytes];
        int[] block = new int[blockSize];
        for (int col = 0; col < n; col++) {
            for (int b = 0; b < blocks; b++) {
                int zp = zeroPoints == null ? mid : zeroPoints[col * blocks + b];
                for (int i = 0; i < blockSize; i++) {
                    int kk = b * blockSize + i;
                    block[i] = kk < k ? codes[kk * n + col] : zp;
                }
                pack(block, bits, packed, (col * blocks + b) * blob);
                if (packedZeroPoints != null) {
                    packZeroPoint(zp, bits, packedZeroPoints, col * zpRowBytes, b);
                }
            }
        }
        return new BlockQuantizedWeight(k, n, bits, blockSize, packed, scales.clone(), packedZeroPoints);
    }

    /** Packs one block's codes (0..2^bits − 1) at {@code offset}, 4-bit codes two per byte, low nibble first. */
    public static void pack(int[] codes, int bits, byte[] out, int offset) {
        if (bits == 8) {
            for (int i = 0; i < codes.length; i++) {
                out[offset + i] = (byte) codes[i];
            }
        } else {
            for (int i = 0; i < codes.length; i += 2) {
                out[offset + i / 2] = (byte) (codes[i] | codes[i + 1] << 4);
            }
        }
    }

    /** Packs block {@code b}'s zero point into its column's row at {@code rowOffset}, 4-bit two per byte, low first. */
    private static void packZeroPoint(int zp, int bits, byte[] out, int rowOffset, int b) {
        if (bits == 8) {
            out[rowOffset + b] = (byte) zp;
        } else {
            out[rowOffset + b / 2] |= (byte) ((b % 2 == 0) ? zp : zp << 4);
        }
    }
}

package io.qreg.engine.eval;

/**
 * Exact cosine nearest neighbours within one set of vectors, by brute force: O(N² · D), which is what an
 * evaluation set of a few thousand items affords and what makes the answer exact rather than an index's.
 */
final class NearestNeighbours {

    private NearestNeighbours() {
    }

    /** Copies of the {@code n} rows of {@code vectors} scaled to unit length; an all-zero row stays zero. */
    static float[] unitRows(float[] vectors, int n, int dimension) {
        float[] unit = new float[n * dimension];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < dimension; d++) {
                double v = vectors[i * dimension + d];
                norm += v * v;
            }
            double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            for (int d = 0; d < dimension; d++) {
                unit[i * dimension + d] = (float) (vectors[i * dimension + d] * scale);
            }
        }
        return unit;
    }

    static double dot(float[] a, int aRow, float[] b, int bRow, int dimension) {
        double sum = 0;
        for (int d = 0; d < dimension; d++) {
            sum += (double) a[aRow * dimension + d] * b[bRow * dimension + d];
        }
        return sum;
    }

    /**
     * For each row, the indices of its {@code k} most similar other rows (itself excluded), most similar first;
     * on equal similarity the lower index wins, so the answer does not depend on anything but the vectors.
     */
    static int[][] of(float[] unitRows, int n, int dimension, int k) {
        int[][] neighbours = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] best = new int[k];
            double[] bestSimilarity = new double[k];
            int found = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double similarity = dot(unitRows, i, unitRows, j, dimension);
                if (found == k && similarity <= bestSimilarity[k - 1]) {
                    continue;
                }
                int at = found < k ? found++ : k - 1;
                while (at > 0 && bestSimilarity[at - 1] < similarity) {
                    best[at] = best[at - 1];
                    bestSimilarity[at] = bestSimilarity[at - 1];
                    at--;
                }
                best[at] = j;
                bestSimilarity[at] = similarity;
            }
            neighbours[i] = best;
        }
        return neighbours;
    }

    /** The share of {@code a}'s entries that are also in {@code b} (both length k, no repeats). */
    static double overlap(int[] a, int[] b) {
        int shared = 0;
        for (int x : a) {
            for (int y : b) {
                if (x == y) {
                    shared++;
                    break;
                }
            }
        }
        return a.length == 0 ? Double.NaN : (double) shared / a.length;
    }

    static boolean contains(int[] neighbours, long item) {
        for (int n : neighbours) {
            if (n == item) {
                return true;
            }
        }
        return false;
    }
}

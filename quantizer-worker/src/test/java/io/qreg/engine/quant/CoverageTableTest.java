package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/BENCHMARKS.md's coverage table is what the passes' op tables say. With
 * {@code -Dqreg.coverage.write=true} (bench/coverage-table.sh) the test rewrites the table instead.
 */
class CoverageTableTest {

    /** Surefire runs in the module directory; the docs are the repository's. */
    private static final Path BENCHMARKS = Path.of("..", "docs", "BENCHMARKS.md");

    @Test
    void benchmarksCoverageTableIsTheOneThePassesOpTablesGenerate() throws Exception {
        String generated = CoverageTable.markdown();
        String doc = Files.readString(BENCHMARKS, StandardCharsets.UTF_8);
        int start = doc.indexOf(CoverageTable.START);
        int end = doc.indexOf(CoverageTable.END);
        assertThat(start).as("coverage table markers in %s", BENCHMARKS).isNotNegative();
        assertThat(end).isGreaterThan(start);
        String current = doc.substring(start, end + CoverageTable.END.length() + 1);
        if (Boolean.getBoolean("qreg.coverage.write")) {
            Files.writeString(BENCHMARKS, doc.replace(current, generated), StandardCharsets.UTF_8);
            System.out.println(generated);
            return;
        }
        assertThat(current).as("docs/BENCHMARKS.md is stale: run bench/coverage-table.sh").isEqualTo(generated);
    }

    @Test
    void staticColumnComesFromTheStaticPassTable() throws Exception {
        String table = CoverageTable.markdown();

        for (String op : new String[] {"Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool", "Where",
                "ConvTranspose", "LayerNormalization"}) {
            assertThat(row(table, op)).as(op).startsWith("| " + op + " | ").contains("| quantized |");
        }
        for (String op : new String[] {"Slice", "Split", "Pad", "Resize"}) {
            assertThat(row(table, op)).as(op).contains("| passed through (shares scale) |");
        }
        // Columns follow Method's order: the static column is the second engine column.
        String header = table.lines().skip(1).findFirst().orElseThrow();
        assertThat(header).startsWith("| op type | int8-dynamic | int8-static |");
        assertThat(row(table, "Where").split("\\|")[3].trim()).isEqualTo("quantized");
        assertThat(row(table, "Where").split("\\|")[2].trim()).as("not a dynamic op").isEqualTo("kept float");
    }

    private static String row(String table, String op) {
        return table.lines().filter(l -> l.startsWith("| " + op + " |")).findFirst().orElseThrow();
    }
}

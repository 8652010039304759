package io.qreg.worker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns: text left-aligned, numbers right-aligned, so that digits line up
 * for a reader scanning a column.
 */
public final class TextTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    public void print(PrintStream out) {
        int[] widths = new int[header.size()];
        boolean[] numeric = new boolean[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            numeric[c] = !rows.isEmpty();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
                numeric[c] &= looksNumeric(row.get(c));
            }
        }
        line(out, header, widths, numeric);
        for (List<String> row : rows) {
            line(out, row, widths, numeric);
        }
    }

    private static void line(PrintStream out, List<String> cells, int[] widths, boolean[] numeric) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                b.append("  ");
            }
            String cell = cells.get(c);
            String pad = " ".repeat(widths[c] - cell.length());
            b.append(numeric[c] ? pad + cell : cell + pad);
        }
        out.println(b.toString().stripTrailing());
    }

    private static boolean looksNumeric(String cell) {
        return cell.isEmpty() || cell.equals("-") || cell.matches("[+-]?(\\d[\\d.,]*|Infinity|NaN)[x%*]?( [kMG]?B)?");
    }
}

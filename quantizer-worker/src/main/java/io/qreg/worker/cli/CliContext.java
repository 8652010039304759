package io.qreg.worker.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to {@code out}, messages and progress to {@code err}.
 *
 * @param errIsTerminal whether {@code err} is an interactive terminal, which decides if a progress bar is drawn
 *                      unasked (a bar's carriage returns would litter a log file)
 */
public record CliContext(PrintStream out, PrintStream err, boolean errIsTerminal) {
}

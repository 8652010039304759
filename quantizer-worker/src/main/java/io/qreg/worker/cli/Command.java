package io.qreg.worker.cli;

import java.util.List;

/**
 * A subcommand of the CLI. Implementations parse their own arguments with {@link Args}, write results to
 * {@link CliContext#out()} and diagnostics to {@link CliContext#err()}, and signal bad usage by throwing
 * {@link UsageException} (or {@link io.qreg.engine.eval.InvalidInputException} for data that does not fit);
 * {@link QuantizerCli} turns exceptions into exit codes, so commands return {@link ExitCode#OK} on success.
 */
public interface Command {

    /** The word typed after the jar, e.g. {@code evaluate}. */
    String name();

    /** One line for the command list in {@code help}. */
    String summary();

    /** The full usage text shown by {@code help NAME} and {@code NAME --help}. */
    String usage();

    int run(List<String> args, CliContext context) throws Exception;
}

/**
 * The {@code quantizer-worker.jar} command line: {@link io.qreg.worker.cli.QuantizerCli} dispatches to
 * {@link io.qreg.worker.cli.Command}s registered by name ({@code evaluate}, {@code benchmark}; further commands
 * such as {@code quantize} are added with one registration line in {@code QuantizerCli.defaultRegistry()}).
 * Argument parsing ({@link io.qreg.worker.cli.Args}), {@link io.qreg.worker.cli.CliJson} for what the CLI prints
 * (no non-finite numbers; the maps themselves come from {@code io.qreg.worker.json}), aligned tables and the stderr
 * progress bar are small hand-rolled classes: the worker jar carries no CLI or JSON library.
 *
 * <p>Exit codes: 0 success, 2 bad usage or bad input, 1 internal failure ({@link io.qreg.worker.cli.ExitCode}).
 */
package io.qreg.worker.cli;

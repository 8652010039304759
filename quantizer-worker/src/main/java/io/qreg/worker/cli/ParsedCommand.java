package io.qreg.worker.cli;

import java.util.List;

/**
 * A {@link Command} whose command line follows one {@link Args.Spec} that declares {@code --help}. Parsing and the
 * help flag are handled here once, so each command's {@link #run(Args, CliContext)} starts from arguments already
 * checked against its options.
 */
public interface ParsedCommand extends Command {

    /** The options this command accepts, {@code --help} among them. */
    Args.Spec options();

    /** Runs the command on parsed arguments; never called when {@code --help} was given. */
    int run(Args args, CliContext context) throws Exception;

    @Override
    default int run(List<String> argv, CliContext context) throws Exception {
        Args args = options().parse(argv);
        if (args.flag("--help")) {
            context.out().print(usage());
            return ExitCode.OK;
        }
        return run(args, context);
    }
}

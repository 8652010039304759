package io.qreg.worker.cli;

import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.ModelSession;
import io.qreg.engine.QuantizationException;
import io.qreg.worker.daemon.EngineVersion;
import io.qreg.npy.NpyFormatException;

import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code quantizer-worker.jar}: {@code java -jar quantizer-worker.jar COMMAND [options]}.
 * {@link #main} only delegates to {@link #run}, which tests call with their own streams.
 */
public final class QuantizerCli {

    /** Set (non-empty) to print the stack trace of an internal error. */
    public static final String DEBUG_ENV = "QREG_DEBUG";

    private final CommandRegistry registry;

    public QuantizerCli(CommandRegistry registry) {
        this.registry = registry;
    }

    /** The commands the jar ships. Another command is one more {@code register(...)} line here. */
    public static CommandRegistry defaultRegistry() {
        return new CommandRegistry()
                .register(new QuantizeCommand())
                .register(new EvaluateCommand())
                .register(new BenchmarkCommand())
                .register(new WorkerCommand())
                .register(new AuditVerifyCommand());
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line and returns its exit code ({@link ExitCode}); never calls System.exit. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean errIsTerminal = err == System.err && ProgressBar.stderrIsTerminal();
        return new QuantizerCli(defaultRegistry()).execute(List.of(args), new CliContext(out, err, errIsTerminal));
    }

    public int execute(List<String> args, CliContext context) {
        PrintStream err = context.err();
        if (args.isEmpty()) {
            err.print(help());
            return ExitCode.BAD_USAGE;
        }
        String first = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (first) {
            case "help", "--help", "-h" -> {
                return help(rest, context);
            }
            case "--version", "version" -> {
                context.out().println(version());
                return ExitCode.OK;
            }
            default -> {
            }
        }
        Command command = registry.find(first).orElse(null);
        if (command == null) {
            err.println("error: unknown command '" + first + "'");
            err.println("commands: " + String.join(", ", registry.commands().stream().map(Command::name).toList())
                    + " (see 'help')");
            return ExitCode.BAD_USAGE;
        }
        try {
            return command.run(rest, context);
        } catch (UsageException e) {
            err.println(command.name() + ": " + e.getMessage());
            err.println("run '" + command.name() + " --help' for usage");
            return ExitCode.BAD_USAGE;
        } catch (InvalidInputException | NoSuchFileException | NpyFormatException | QuantizationException e) {
            err.println(command.name() + ": " + e.getMessage());
            return ExitCode.BAD_USAGE;
        } catch (Exception | LinkageError e) {
            // LinkageError: ONNX Runtime's native library failed to load, an environment problem. One line for the
            // user; the trace only when asked for, since it means something to a developer alone.
            err.println(command.name() + ": internal error: " + e);
            if (System.getenv(DEBUG_ENV) != null && !System.getenv(DEBUG_ENV).isEmpty()) {
                e.printStackTrace(err);
            } else {
                err.println("(set " + DEBUG_ENV + "=1 to print the stack trace)");
            }
            return ExitCode.INTERNAL_FAILURE;
        }
    }

    private int help(List<String> topic, CliContext context) {
        if (topic.isEmpty()) {
            context.out().print(help());
            return ExitCode.OK;
        }
        return registry.find(topic.get(0)).map(c -> {
            context.out().print(c.usage());
            return ExitCode.OK;
        }).orElseGet(() -> {
            context.err().println("help: unknown command '" + topic.get(0) + "'");
            return ExitCode.BAD_USAGE;
        });
    }

    String help() {
        StringBuilder b = new StringBuilder();
        b.append("usage: java -jar quantizer-worker.jar COMMAND [options]\n\ncommands:\n");
        List<String[]> entries = new ArrayList<>();
        registry.commands().forEach(c -> entries.add(new String[] {c.name(), c.summary()}));
        entries.add(new String[] {"help [COMMAND]", "this text, or a command's options (also COMMAND --help)"});
        entries.add(new String[] {"--version", "versions of this tool and of ONNX Runtime"});
        int width = entries.stream().mapToInt(e -> e[0].length()).max().orElse(0);
        for (String[] e : entries) {
            b.append("  ").append(e[0]).append(" ".repeat(width - e[0].length() + 2)).append(e[1]).append('\n');
        }
        b.append("""

                Results go to stdout: a summary, or with --json exactly one JSON object. Messages and the
                progress bar go to stderr.

                exit codes:
                  0  success
                  1  internal failure (a bug or an environment problem; one line on stderr, the stack trace
                     with QREG_DEBUG=1)
                  2  bad usage or bad input: unknown option, missing file, input shape or dtype mismatch,
                     not an ONNX model
                """);
        return b.toString();
    }

    static String version() {
        return "quantizer-worker " + EngineVersion.get() + " (ONNX Runtime " + ModelSession.runtimeVersion() + ", Java "
                + Runtime.version() + ")";
    }
}

package io.qreg.worker.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import io.qreg.worker.json.Json;
import java.util.List;
import java.util.Map;

/** One run of the quantizer CLI in this JVM: its exit code and what it printed on stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = QuantizerCli.run(args, o, e);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Stdout read as the one JSON object {@code --json} prints. */
    Map<String, Object> json() {
        return Json.parseObject(out);
    }

    static CliRun of(List<String> args) {
        return of(args.toArray(String[]::new));
    }
}

package io.qreg.worker.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed command line: flags ({@code --json}), options with a value ({@code --batch 4} or {@code --batch=4}),
 * repeatable options ({@code --input a=x.npy --input b=y.npy}) and positional arguments. {@code --} ends options.
 * Anything not declared in the {@link Spec} is an error, so a typo never silently falls back to a default.
 */
public final class Args {

    private final Set<String> flags;
    private final Map<String, List<String>> values;
    private final List<String> positionals;

    private Args(Set<String> flags, Map<String, List<String>> values, List<String> positionals) {
        this.flags = flags;
        this.values = values;
        this.positionals = positionals;
    }

    public static Spec spec() {
        return new Spec();
    }

    /** Which options a command accepts. */
    public static final class Spec {

        private final Set<String> flags = new LinkedHashSet<>();
        private final Set<String> single = new LinkedHashSet<>();
        private final Set<String> repeatable = new LinkedHashSet<>();

        public Spec flag(String name) {
            flags.add(name);
            return this;
        }

        /** An option taking one value; giving it twice is an error. */
        public Spec option(String name) {
            single.add(name);
            return this;
        }

        /** An option that may be given several times. */
        public Spec repeatable(String name) {
            repeatable.add(name);
            return this;
        }

        public Args parse(List<String> argv) {
            Set<String> seenFlags = new LinkedHashSet<>();
            Map<String, List<String>> seenValues = new HashMap<>();
            List<String> positionals = new ArrayList<>();
            boolean optionsEnded = false;
            for (int i = 0; i < argv.size(); i++) {
                String arg = argv.get(i);
                // Short options exist only where a contract names one (quantize's "-o OUT.onnx").
                boolean declaredShort = flags.contains(arg) || single.contains(arg) || repeatable.contains(arg);
                if (optionsEnded || (!arg.startsWith("--") && !declaredShort)) {
                    if (!optionsEnded && arg.startsWith("-") && arg.length() > 1) {
                        throw new UsageException("unknown option '" + arg + "' (options start with --)");
                    }
                    positionals.add(arg);
                    continue;
                }
                if (arg.equals("--")) {
                    optionsEnded = true;
                    continue;
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                if (flags.contains(name)) {
                    if (eq >= 0) {
                        throw new UsageException(name + " takes no value");
                    }
                    seenFlags.add(name);
                } else if (single.contains(name) || repeatable.contains(name)) {
                    String value;
                    if (eq >= 0) {
                        value = arg.substring(eq + 1);
                    } else if (i + 1 < argv.size() && !argv.get(i + 1).startsWith("--")) {
                        value = argv.get(++i);
                    } else {
                        throw new UsageException(name + " needs a value");
                    }
                    List<String> list = seenValues.computeIfAbsent(name, k -> new ArrayList<>());
                    if (single.contains(name) && !list.isEmpty()) {
                        throw new UsageException(name + " given twice");
                    }
                    list.add(value);
                } else {
                    throw new UsageException("unknown option '" + name + "'; known options: " + known());
                }
            }
            return new Args(seenFlags, seenValues, positionals);
        }

        private String known() {
            List<String> all = new ArrayList<>(flags);
            all.addAll(single);
            all.addAll(repeatable);
            return String.join(", ", all);
        }
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> value(String name) {
        List<String> list = values.get(name);
        return list == null ? Optional.empty() : Optional.of(list.get(0));
    }

    public List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String required(String name) {
        return value(name).orElseThrow(() -> new UsageException("missing required option " + name));
    }

    /** An integer option, at least {@code min}, or {@code defaultValue} when absent. */
    public int intValue(String name, int defaultValue, int min) {
        Optional<String> text = value(name);
        if (text.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs an integer, got '" + text.get() + "'");
        }
        if (value < min) {
            throw new UsageException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    public long longValue(String name, long defaultValue) {
        Optional<String> text = value(name);
        try {
            return text.map(t -> Long.parseLong(t.trim())).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs an integer, got '" + text.get() + "'");
        }
    }

    public List<String> positionals() {
        return List.copyOf(positionals);
    }

    /**
     * Repeatable {@code NAME=FILE} values as an ordered map of existing files.
     *
     * @throws UsageException for a value without {@code =}, a name given twice, or a missing file
     */
    public Map<String, Path> namedFiles(String option) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String value : values(option)) {
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new UsageException(option + " needs INPUT_NAME=FILE.npy, got '" + value + "'");
            }
            String name = value.substring(0, eq);
            if (files.put(name, existingFile(option + " " + name, value.substring(eq + 1))) != null) {
                throw new UsageException(option + " gives input '" + name + "' twice");
            }
        }
        return files;
    }

    /** {@code path} as an existing regular file, or a usage error saying which argument named it. */
    public static Path existingFile(String what, String path) {
        Path file = Path.of(path);
        if (!Files.exists(file)) {
            throw new UsageException("file not found: " + path + " (" + what + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("not a regular file: " + path + " (" + what + ")");
        }
        return file;
    }
}

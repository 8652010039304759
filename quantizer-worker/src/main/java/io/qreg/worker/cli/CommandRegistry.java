package io.qreg.worker.cli;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Subcommands by name, in registration order (the order {@code help} lists them). */
public final class CommandRegistry {

    private final Map<String, Command> commands = new LinkedHashMap<>();

    /** Adds a command; a name registered twice is a programming error. */
    public CommandRegistry register(Command command) {
        if (commands.putIfAbsent(command.name(), command) != null) {
            throw new IllegalArgumentException("command '" + command.name() + "' is already registered");
        }
        return this;
    }

    public Optional<Command> find(String name) {
        return Optional.ofNullable(commands.get(name));
    }

    public Collection<Command> commands() {
        return Collections.unmodifiableCollection(commands.values());
    }
}

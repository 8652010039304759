package io.qreg.registry.web;

import java.util.Collection;

import org.springframework.stereotype.Component;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.CollectionType;

/**
 * Every list in a request body holds at most {@value #MAX_ENTRIES} entries (e.g. a recipe's
 * {@code excludeNodes}); a longer one is refused as 400 naming the field before any service sees it.
 * A Jackson module, so Spring Boot installs it in the mapper that reads request bodies.
 */
@Component
class ListLimits extends SimpleModule {

    static final int MAX_ENTRIES = 10_000;

    ListLimits() {
        super("qreg-list-limits");
        setDeserializerModifier(new ValueDeserializerModifier() {
            @Override
            public ValueDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config,
                    CollectionType type, BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
                return new Bounded(deserializer);
            }
        });
    }

    /** Thrown for a list over the limit; its message is the whole explanation. */
    static final class TooManyEntries extends MismatchedInputException {

        TooManyEntries(JsonParser parser, int size) {
            super(parser, "at most " + MAX_ENTRIES + " entries are accepted, got " + size);
        }
    }

    private static final class Bounded extends DelegatingDeserializer {

        Bounded(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new Bounded(delegate);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) {
            Object value = super.deserialize(parser, context);
            if (value instanceof Collection<?> list && list.size() > MAX_ENTRIES) {
                throw new TooManyEntries(parser, list.size());
            }
            return value;
        }
    }
}

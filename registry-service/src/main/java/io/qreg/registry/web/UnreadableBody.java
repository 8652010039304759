package io.qreg.registry.web;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.UUID;

import org.springframework.http.converter.HttpMessageNotReadableException;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Explains a request body Jackson could not read the way a person fixes it: which field ({@code tiers[0].weight}),
 * what type it needs, and (at most {@value Excerpt#MAX_CHARS} characters of) what was sent instead.
 *
 * @param field the JSON path of the offending value, or null when the body as a whole is the problem
 * @param detail the explanation
 */
record UnreadableBody(String field, String detail) {

    static UnreadableBody explain(HttpMessageNotReadableException e) {
        JacksonException cause = jacksonCause(e);
        if (cause == null) {
            return new UnreadableBody(null, "The request needs a JSON body (Content-Type: application/json).");
        }
        String field = path(cause);
        String where = field == null ? "the body" : field;
        if (cause instanceof ListLimits.TooManyEntries) {
            return new UnreadableBody(field, where + ": " + cause.getOriginalMessage());
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return new UnreadableBody(field, where + " is not a field of this request; known fields: "
                    + Excerpt.of(unknown.getKnownPropertyIds()));
        }
        if (cause instanceof InvalidFormatException invalid) {
            return new UnreadableBody(field, where + ": expected " + expected(invalid.getTargetType()) + ", got "
                    + Excerpt.of(quoted(invalid.getValue())));
        }
        if (cause instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String got = mismatch.getCurrentToken() == null ? "" : ", got " + token(mismatch);
            return new UnreadableBody(field, where + ": expected " + expected(mismatch.getTargetType()) + got);
        }
        if (cause instanceof StreamReadException) {
            var at = cause.getLocation();
            String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return new UnreadableBody(field, "The body is not valid JSON" + position + ": "
                    + Excerpt.of(cause.getOriginalMessage()));
        }
        return new UnreadableBody(field, where + ": " + Excerpt.of(cause.getOriginalMessage()));
    }

    private static JacksonException jacksonCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException jackson) {
                return jackson;
            }
        }
        return null;
    }

    /** {@code recipe.excludeNodes[3]}: property names joined by dots, list positions in brackets. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }

    static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == BigInteger.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class
                || type == BigDecimal.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class || CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 timestamp such as 2026-01-31T12:00:00Z";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }

    private static String token(MismatchedInputException e) {
        return switch (e.getCurrentToken()) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> e.getCurrentToken().asString() == null ? e.getCurrentToken().name()
                    : e.getCurrentToken().asString();
        };
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}

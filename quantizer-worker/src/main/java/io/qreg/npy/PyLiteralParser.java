package io.qreg.npy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal an {@code .npy} header holds, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (500, 64), }}.
 *
 * <p>Only what numpy writes there is understood: dicts, tuples, lists, quoted strings, integers,
 * {@code True}/{@code False}. Values come back as {@link Map}, {@link List}, {@link String},
 * {@link BigInteger} and {@link Boolean}; anything else is a format error rather than a guess.
 */
final class PyLiteralParser {

    private final String text;
    private int pos;

    private PyLiteralParser(String text) {
        this.text = text;
    }

    /** Parses a header that must consist of one dict literal and optional surrounding whitespace. */
    static Map<String, Object> parseDict(String text) throws NpyFormatException {
        PyLiteralParser parser = new PyLiteralParser(text);
        parser.skipSpace();
        if (!parser.peek('{')) {
            throw parser.error("expected the header to start with a '{' dict");
        }
        Map<String, Object> dict = parser.dict();
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("unexpected text after the header dict");
        }
        return dict;
    }

    private Object value() throws NpyFormatException {
        skipSpace();
        if (pos >= text.length()) {
            throw error("header ends where a value was expected");
        }
        char c = text.charAt(pos);
        if (c == '{') {
            return dict();
        }
        if (c == '(') {
            return sequence('(', ')');
        }
        if (c == '[') {
            return sequence('[', ']');
        }
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '-' || Character.isDigit(c)) {
            return integer();
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("unexpected character '" + c + "'");
    }

    private Map<String, Object> dict() throws NpyFormatException {
        Map<String, Object> dict = new LinkedHashMap<>();
        pos++; // '{'
        while (true) {
            skipSpace();
            if (peek('}')) {
                pos++;
                return dict;
            }
            Object key = value();
            if (!(key instanceof String name)) {
                throw error("dict keys must be strings");
            }
            skipSpace();
            expect(':');
            if (dict.put(name, value()) != null) {
                throw error("key '" + name + "' appears twice");
            }
            if (!separatorBefore('}')) {
                throw error("expected ',' or '}' in the header dict");
            }
        }
    }

    private List<Object> sequence(char open, char close) throws NpyFormatException {
        List<Object> items = new ArrayList<>();
        pos++; // open
        while (true) {
            skipSpace();
            if (peek(close)) {
                pos++;
                return items;
            }
            items.add(value());
            if (!separatorBefore(close)) {
                throw error("expected ',' or '" + close + "' in a " + (open == '(' ? "tuple" : "list"));
            }
        }
    }

    /** Consumes a ',' (true) or checks the closing bracket comes next without consuming it (true); else false. */
    private boolean separatorBefore(char close) {
        skipSpace();
        if (peek(',')) {
            pos++;
            return true;
        }
        return peek(close);
    }

    private String string() throws NpyFormatException {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            sb.append(c);
        }
        throw error("unterminated string");
    }

    private BigInteger integer() throws NpyFormatException {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        // numpy 1.x on Windows wrote Python 2 longs such as 3L.
        int end = pos;
        if (peek('L')) {
            pos++;
        }
        try {
            return new BigInteger(text.substring(start, end));
        } catch (NumberFormatException e) {
            throw error("malformed integer");
        }
    }

    private void expect(char c) throws NpyFormatException {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private NpyFormatException error(String detail) {
        return new NpyFormatException("malformed .npy header: " + detail + " at character " + pos);
    }
}

package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming reader of {@code multipart/form-data} bodies: each part's content is read straight
 * from the request, so an upload of any size passes through a fixed 64 KiB buffer. A body that
 * ends before its closing boundary is reported as truncated rather than taken as complete.
 */
public final class MultipartReader {

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final int[] skip = new int[256];
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean finished;
    private PartStream current;

    public MultipartReader(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw new MultipartException("multipart boundary is missing or invalid");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        java.util.Arrays.fill(skip, delimiter.length);
        for (int k = 0; k < delimiter.length - 1; k++) {
            skip[delimiter[k] & 0xff] = delimiter.length - 1 - k;
        }
        // The first boundary has no CRLF before it; pretend it had one so one search fits all.
        buffer[0] = '\r';
        buffer[1] = '\n';
        limit = 2;
    }

    /** Extracts the boundary parameter of a {@code multipart/form-data} content type, or null. */
    public static String boundaryOf(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        return parameters(contentType).get("boundary");
    }

    /** The next part, or null after the closing boundary. The previous part is skipped if unread. */
    public Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            skipPreamble();
        } else {
            current.transferTo(OutputStreamSink.INSTANCE);
        }
        // After a delimiter: "--" closes the body, CRLF starts the next part's headers.
        ensure(2);
        if (limit - pos < 2) {
            throw new MultipartException("upload truncated: the body ended right after a boundary");
        }
        if (buffer[pos] == '-' && buffer[pos + 1] == '-') {
            finished = true;
            return null;
        }
        skipLinearWhitespaceToCrlf();
        Map<String, String> headers = readHeaders();
        Map<String, String> disposition = parameters(headers.getOrDefault("content-disposition", ""));
        current = new PartStream();
        return new Part(disposition.get("name"), disposition.get("filename"), headers.get("content-type"), current);
    }

    private void skipPreamble() throws IOException {
        PartStream preamble = new PartStream();
        preamble.transferTo(OutputStreamSink.INSTANCE);
    }

    private void skipLinearWhitespaceToCrlf() throws IOException {
        while (true) {
            ensure(2);
            if (limit - pos < 2) {
                throw new MultipartException("upload truncated inside a part boundary");
            }
            if (buffer[pos] == '\r' && buffer[pos + 1] == '\n') {
                pos += 2;
                return;
            }
            if (buffer[pos] != ' ' && buffer[pos] != '\t') {
                throw new MultipartException("malformed multipart body: unexpected bytes after a boundary");
            }
            pos++;
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int consumed = 0;
        while (true) {
            String line = readLine();
            consumed += line.length() + 2;
            if (consumed > MAX_HEADER_BYTES) {
                throw new MultipartException("malformed multipart body: part headers exceed 16 KiB");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            ensure(2);
            if (limit - pos < 2) {
                throw new MultipartException("upload truncated inside the headers of a part");
            }
            if (buffer[pos] == '\r' && buffer[pos + 1] == '\n') {
                pos += 2;
                return line.toString();
            }
            line.append((char) (buffer[pos++] & 0xff));
            if (line.length() > MAX_HEADER_BYTES) {
                throw new MultipartException("malformed multipart body: a part header line is too long");
            }
        }
    }

    /** Makes at least {@code n} bytes available from pos, unless the stream ends first. */
    private void ensure(int n) throws IOException {
        if (limit - pos >= n) {
            return;
        }
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit < n && !eof) {
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                eof = true;
            } else {
                limit += read;
            }
        }
    }

    /**
     * Boyer-Moore-Horspool: on a mismatch the window jumps by up to the delimiter's length, so
     * scanning a large file part costs a fraction of a comparison per byte.
     */
    private int indexOfDelimiter(int from) {
        int m = delimiter.length;
        int last = limit - m;
        int i = from;
        while (i <= last) {
            int j = m - 1;
            while (j >= 0 && buffer[i + j] == delimiter[j]) {
                j--;
            }
            if (j < 0) {
                return i;
            }
            i += skip[buffer[i + m - 1] & 0xff];
        }
        return -1;
    }

    static Map<String, String> parameters(String headerValue) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = headerValue.indexOf(';');
        while (i >= 0 && i < headerValue.length()) {
            int eq = headerValue.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = headerValue.substring(i + 1, eq).trim().toLowerCase(Locale.ROOT);
            int j = eq + 1;
            String value;
            if (j < headerValue.length() && headerValue.charAt(j) == '"') {
                StringBuilder quoted = new StringBuilder();
                j++;
                while (j < headerValue.length() && headerValue.charAt(j) != '"') {
                    char c = headerValue.charAt(j);
                    if (c == '\\' && j + 1 < headerValue.length()) {
                        c = headerValue.charAt(++j);
                    }
                    quoted.append(c);
                    j++;
                }
                value = quoted.toString();
                j = headerValue.indexOf(';', j);
            } else {
                int end = headerValue.indexOf(';', j);
                value = headerValue.substring(j, end < 0 ? headerValue.length() : end).trim();
                j = end;
            }
            params.put(key, value);
            i = j;
        }
        return params;
    }

    /** One part of the body; its content must be read before asking for the next part. */
    public record Part(String name, String filename, String contentType, InputStream content) {
    }

    /** The content of the current part: ends where the next delimiter starts. */
    private final class PartStream extends BulkInputStream {

        private boolean done;

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            while (true) {
                int found = indexOfDelimiter(pos);
                int available = found >= 0 ? found - pos : limit - pos - (delimiter.length - 1);
                if (found >= 0 && available == 0) {
                    pos += delimiter.length;
                    done = true;
                    return -1;
                }
                if (available > 0) {
                    int n = Math.min(available, length);
                    System.arraycopy(buffer, pos, target, offset, n);
                    pos += n;
                    return n;
                }
                if (eof) {
                    throw new MultipartException("upload truncated: the body ended before the closing boundary");
                }
                ensure(limit - pos + 1);
            }
        }
    }

    /** Discards bytes: used to skip the rest of a part nobody read. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
